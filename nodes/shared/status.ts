import type { NodeStatus } from './red-api';

/** Looks a status text up in the node's own messages (`status.<key>`). */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

export interface LoadingDetail {
  percent?: number;
  filesDone?: number;
  filesTotal?: number;
}

/** Yellow ring while a model downloads or loads: "downloading 42%" or "loading model". */
export function loadingStatus(t: Translate, detail?: LoadingDetail): NodeStatus {
  if (detail?.percent !== undefined)
    return { fill: 'yellow', shape: 'ring', text: t('status.downloading', { percent: detail.percent }) };
  return { fill: 'yellow', shape: 'ring', text: t('status.loading') };
}

export interface ReadyDetail {
  fps?: number;
  latencyMs?: number;
  dropped: number;
}

/** Green dot once the model runs: "ready · 12.3 fps · 45 ms · 0 dropped". */
export function readyStatus(t: Translate, detail: ReadyDetail): NodeStatus {
  const parts = [t('status.ready')];
  if (detail.fps !== undefined && detail.fps > 0) parts.push(`${detail.fps.toFixed(1)} fps`);
  if (detail.latencyMs !== undefined) parts.push(`${Math.round(detail.latencyMs)} ms`);
  parts.push(t('status.dropped', { count: detail.dropped }));
  return { fill: detail.dropped > 0 ? 'yellow' : 'green', shape: 'dot', text: parts.join(' · ') };
}

/** Red ring with the reason, shortened to fit under a node. */
export function errorStatus(message: string): NodeStatus {
  const text = message.length > 60 ? `${message.slice(0, 57)}…` : message;
  return { fill: 'red', shape: 'ring', text };
}

/**
 * At most one status update per interval: a classifier at 20 fps would otherwise send 20 status
 * events a second to every open editor. The latest update always lands, at most `intervalMs` late.
 */
export class StatusThrottle {
  private timer?: NodeJS.Timeout;
  private lastAt = 0;
  private latest?: () => NodeStatus;

  constructor(
    private readonly apply: (status: NodeStatus) => void,
    private readonly intervalMs = 1000,
  ) {}

  /** `make` is called when the update really goes out, so it sees the newest figures. */
  update(make: () => NodeStatus): void {
    this.latest = make;
    if (this.timer) return;
    const wait = this.lastAt + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Shows a status now (state changes such as loading → error are never delayed). */
  now(status: NodeStatus): void {
    this.cancel();
    this.lastAt = Date.now();
    this.apply(status);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const make = this.latest;
    this.latest = undefined;
    if (!make) return;
    this.lastAt = Date.now();
    this.apply(make());
  }
}
