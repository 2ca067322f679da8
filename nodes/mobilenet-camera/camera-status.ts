import { redactUserinfo, type FrameSourceState, type FrameSourceStats } from '../../src';

export interface StatusShape {
  fill: 'red' | 'green' | 'yellow' | 'grey';
  shape: 'ring' | 'dot';
  text: string;
}

/** Looks up `mobilenet-camera.status.<key>` in the node's message catalogue. */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/** What the node shows under itself for a source state and its counters. */
export function cameraStatus(state: FrameSourceState, stats: FrameSourceStats, t: Translate): StatusShape {
  switch (state) {
    case 'running':
      // A restart quicker than a status update would go unseen without its count.
      return {
        fill: 'green',
        shape: 'dot',
        text: t(stats.restarts > 0 ? 'running-restarted' : 'running', {
          fps: stats.fps.toFixed(1),
          frames: stats.emitted,
          restarts: stats.restarts,
        }),
      };
    case 'starting':
      return { fill: 'yellow', shape: 'ring', text: t('starting') };
    case 'restarting':
      return {
        fill: 'red',
        shape: 'ring',
        text: t('restarting', { error: shorten(redactUserinfo(stats.lastError ?? '')) }),
      };
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: t('stopped', { frames: stats.emitted }) };
  }
}

/** Status text sits under the node in the workspace: keep it readable. */
function shorten(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
