import { TransferStop } from './http-request';

export interface WatchdogLimits {
  idleTimeoutMs: number;
  minBytesPerWindow: number;
  rateWindowMs: number;
}

/**
 * Watches one response body: stops it when no byte arrives for idleTimeoutMs, or when a window of
 * rateWindowMs brings fewer than minBytesPerWindow bytes (a server sending one byte every few
 * seconds is never idle, but would never finish). A window near the end of a file of known size
 * only needs the bytes still missing.
 */
export class TransferWatchdog {
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly rateTimer: NodeJS.Timeout;
  private bytes = 0;
  private bytesAtWindowStart = 0;

  constructor(
    private readonly limits: WatchdogLimits,
    private readonly expectedBytes: number | undefined,
    private readonly stop: (reason: TransferStop) => void,
  ) {
    this.armIdle();
    this.rateTimer = setInterval(() => this.checkRate(), limits.rateWindowMs);
  }

  received(bytes: number): void {
    this.bytes += bytes;
    this.armIdle();
  }

  dispose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    clearInterval(this.rateTimer);
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => this.stop(new TransferStop(`timed out: no data for ${this.limits.idleTimeoutMs} ms`)),
      this.limits.idleTimeoutMs,
    );
  }

  private checkRate(): void {
    const got = this.bytes - this.bytesAtWindowStart;
    const missing = this.expectedBytes === undefined ? Infinity : this.expectedBytes - this.bytesAtWindowStart;
    const needed = Math.min(this.limits.minBytesPerWindow, missing);
    this.bytesAtWindowStart = this.bytes;
    if (needed > 0 && got < needed) {
      this.stop(
        new TransferStop(
          `is too slow: ${got} bytes in the last ${this.limits.rateWindowMs} ms, at least ${needed} needed ` +
            `(minimum rate ${this.limits.minBytesPerWindow} bytes per ${this.limits.rateWindowMs} ms)`,
        ),
      );
    }
  }
}
