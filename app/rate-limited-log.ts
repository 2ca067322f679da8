/**
 * Writes at most one line per interval. Lines about mistakes of callers (a bad upload, a refused
 * cross-origin request) are worth seeing, but a client repeating them must not flood the journal:
 * the first line of an interval is written, the rest are counted and the count is written once the
 * interval is over.
 */
export class RateLimitedLog {
  private lastWrittenAt = -Infinity;
  private suppressed = 0;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    /** What is counted, plural, for the line that reports held-back lines: "refused requests". */
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  note(line: string): void {
    const now = this.now();
    if (now - this.lastWrittenAt >= this.intervalMs) {
      this.lastWrittenAt = now;
      this.write(line);
      return;
    }
    this.suppressed++;
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.lastWrittenAt + this.intervalMs - now);
      // A pending count must not keep the process alive at shutdown.
      this.flushTimer.unref();
    }
  }

  /** Writes how many lines were held back since the last one written (if any). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.suppressed === 0) return;
    const seconds = Math.round(this.intervalMs / 1000);
    this.write(
      `${this.suppressed} more ${this.what} in the last ${seconds} s not shown (one line per ${seconds} s at most)`,
    );
    this.suppressed = 0;
    this.lastWrittenAt = this.now();
  }
}
