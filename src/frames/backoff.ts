import type { RestartPolicy } from './frame';

/** Exponential restart delays: initialMs, 2×, 4×, … capped at maxMs; reset after a good run. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly policy: RestartPolicy) {
    const { initialMs, maxMs } = policy;
    if (!(Number.isFinite(initialMs) && initialMs >= 0))
      throw new RangeError(`restart.initialMs must be a number >= 0, got ${String(initialMs)}`);
    if (!(Number.isFinite(maxMs) && maxMs >= initialMs))
      throw new RangeError(`restart.maxMs must be a number >= restart.initialMs (${initialMs}), got ${String(maxMs)}`);
  }

  next(): number {
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
