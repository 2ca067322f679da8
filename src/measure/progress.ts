/**
 * Progress on stderr (stdout stays for the table or the JSON): a bar redrawn in place on a
 * terminal, one plain line per step otherwise (CI logs, pipes).
 */
export class Progress {
  private done = 0;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Announces the step about to run. */
  step(label: string): void {
    this.done++;
    if (!this.tty) {
      this.stream.write(`bench [${this.done}/${this.total}] ${label}\n`);
      return;
    }
    const width = 24;
    const filled = Math.round((width * (this.done - 1)) / Math.max(1, this.total));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const columns = this.stream.columns ?? 80;
    const line = `${bar} ${this.done}/${this.total} ${label}`.slice(0, columns - 1);
    this.stream.write(`\r\x1b[2K${line}`);
  }

  /** Clears the bar so what follows starts on a clean line. */
  finish(): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}
