import type { NodeStatus } from './red-api';
import type { Translate } from './translate';

/**
 * The status every node shows under itself, in one vocabulary: yellow ring while something is on
 * its way (loading, starting, connecting), green dot when working, yellow dot when working with
 * something to look at (frames dropped), red ring when failed, grey ring when stopped on purpose.
 */

/** One rule for every node: a status sits under the node in the workspace and must stay readable. */
export const STATUS_TEXT_MAX = 100;

function fitted(text: string): string {
  return text.length <= STATUS_TEXT_MAX ? text : `${text.slice(0, STATUS_TEXT_MAX - 1)}…`;
}

export const status = {
  pending: (text: string): NodeStatus => ({ fill: 'yellow', shape: 'ring', text: fitted(text) }),
  working: (text: string): NodeStatus => ({ fill: 'green', shape: 'dot', text: fitted(text) }),
  workingWithWarning: (text: string): NodeStatus => ({ fill: 'yellow', shape: 'dot', text: fitted(text) }),
  failed: (text: string): NodeStatus => ({ fill: 'red', shape: 'ring', text: fitted(text) }),
  stopped: (text: string): NodeStatus => ({ fill: 'grey', shape: 'ring', text: fitted(text) }),
};

export type ConnectionState = 'connected' | 'connecting' | 'disconnected';

/**
 * A connection in Node-RED's own words (`node-red:common.status.*`, as the core MQTT nodes say
 * it), with details after it. Disconnected is a yellow ring, not red: messages wait in a queue.
 */
export function connectionStatus(RED: { _: Translate }, state: ConnectionState, details: string[] = []): NodeStatus {
  const text = [RED._(`node-red:common.status.${state}`), ...details].join(' · ');
  return state === 'connected' ? status.working(text) : status.pending(text);
}

/**
 * At most one status update per interval: a classifier at 20 fps or a camera at 30 would otherwise
 * send a status event per frame to every open editor. The latest update always lands, at most
 * `intervalMs` late; an update that would show what is already shown is not sent again.
 */
export class StatusThrottle {
  private timer?: NodeJS.Timeout;
  private lastAt = 0;
  private latest?: () => NodeStatus;
  private shown?: string;

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
  now(next: NodeStatus): void {
    this.cancel();
    this.show(next);
  }

  /** Drops a pending update and clears the status (a closing node). */
  clear(): void {
    this.cancel();
    this.shown = undefined;
    this.apply({});
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
    const next = make();
    if (JSON.stringify(next) === this.shown) return;
    this.show(next);
  }

  private show(next: NodeStatus): void {
    this.lastAt = Date.now();
    this.shown = JSON.stringify(next);
    this.apply(next);
  }
}
