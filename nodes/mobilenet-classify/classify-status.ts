import type { NodeStatus } from '../shared/red-api';
import { status } from '../shared/status';
import type { Translate } from '../shared/translate';

export interface LoadingDetail {
  percent?: number;
  filesDone?: number;
  filesTotal?: number;
}

/** While a model downloads or loads: "downloading 42%" or "loading model" (then "· 2 dropped" once frames were). */
export function loadingStatus(t: Translate, detail?: LoadingDetail, dropped = 0): NodeStatus {
  const text =
    detail?.percent !== undefined ? t('status.downloading', { percent: detail.percent }) : t('status.loading');
  return status.pending(dropped > 0 ? `${text} · ${t('status.dropped', { count: dropped })}` : text);
}

export interface ReadyDetail {
  /** The engine that runs the model (litert, tfjs), once loaded. */
  engine?: string;
  fps?: number;
  latencyMs?: number;
  dropped: number;
  /** Frames a watched state skipped because its region held still (only with "Watch state"). */
  still?: number;
}

/**
 * Once the model runs: "ready (litert) · 12.3 fps · 45 ms · 0 dropped" (watching a state: "· 40 still"), a warning
 * once frames were dropped. Still frames are no warning: skipping them is the point of the motion gate.
 */
export function readyStatus(t: Translate, detail: ReadyDetail): NodeStatus {
  const parts = [detail.engine ? `${t('status.ready')} (${detail.engine})` : t('status.ready')];
  if (detail.fps !== undefined && detail.fps > 0) parts.push(`${detail.fps.toFixed(1)} fps`);
  if (detail.latencyMs !== undefined) parts.push(`${Math.round(detail.latencyMs)} ms`);
  parts.push(t('status.dropped', { count: detail.dropped }));
  if (detail.still !== undefined) parts.push(t('status.still', { count: detail.still }));
  const text = parts.join(' · ');
  return detail.dropped > 0 ? status.workingWithWarning(text) : status.working(text);
}
