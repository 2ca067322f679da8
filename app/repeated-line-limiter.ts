import { RateLimitedLog } from './rate-limited-log';

/** Distinct kinds of line remembered at once; a flood of ever-new lines is still bounded. */
const MAX_KINDS = 200;

/**
 * Node-RED logs every `done(err)` of a node as an error line: a camera outrunning the classifier
 * drops frames by policy (counted in the status and `<prefix>/stats`), and each drop would become a
 * line in the journal, several a second for months on an SD card. Lines of the same kind (the same
 * node and the same text once its numbers are set aside) are written at most once per interval,
 * then how many were held back; a new kind of line is always written at once.
 */
export class RepeatedLineLimiter {
  private readonly kinds = new Map<string, RateLimitedLog>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `source` names who said it (node type and name); `line` is written as it is. */
  note(source: string, line: string): void {
    const kind = `${source}\u0000${line.replace(/\d+(\.\d+)?/g, '#').slice(0, 200)}`;
    let log = this.kinds.get(kind);
    if (!log) {
      if (this.kinds.size >= MAX_KINDS) this.forgetOldest();
      log = new RateLimitedLog(this.write, `lines like "${line.slice(0, 80)}"`, this.intervalMs, this.now);
      this.kinds.set(kind, log);
    }
    log.note(line);
  }

  private forgetOldest(): void {
    const [oldest, log] = this.kinds.entries().next().value as [string, RateLimitedLog];
    log.flush();
    this.kinds.delete(oldest);
  }
}
