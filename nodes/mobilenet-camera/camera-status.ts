import { redactUserinfo, type FrameSourceState, type FrameSourceStats } from '../../src';
import type { NodeStatus } from '../shared/red-api';
import { status } from '../shared/status';
import type { Translate } from '../shared/translate';

/** What the node shows under itself for a source state and its counters (`t` reads `status.<key>`). */
export function cameraStatus(
  state: FrameSourceState,
  stats: FrameSourceStats,
  t: Translate,
  /** Files of a folder that were not classified (not images, broken, too large): each also went to the error path. */
  skippedFiles = 0,
): NodeStatus {
  switch (state) {
    case 'running': {
      // A restart quicker than a status update would go unseen without its count.
      const key = stats.restarts > 0 ? 'status.running-restarted' : 'status.running';
      const text = t(key, { fps: stats.fps.toFixed(1), frames: stats.emitted, restarts: stats.restarts });
      if (skippedFiles === 0) return status.working(text);
      return status.workingWithWarning(`${text} · ${t('status.skipped', { count: skippedFiles })}`);
    }
    case 'starting':
      return status.pending(t('status.starting'));
    case 'restarting':
      return status.failed(t('status.restarting', { error: redactUserinfo(stats.lastError ?? '') }));
    case 'stopped':
      return status.stopped(t('status.stopped', { frames: stats.emitted }));
  }
}
