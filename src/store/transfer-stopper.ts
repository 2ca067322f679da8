import { DOWNLOAD_TIMEOUT_ENV } from './download-limits';
import { TransferStop } from './http-request';

/**
 * One abort signal for a transfer, fired by the first of: the caller's own signal, the total deadline,
 * or a limit that calls `stop` (the watchdog, a bound over several files). The reason is kept, so the
 * error can say which one it was.
 */
export class TransferStopper {
  private readonly controller = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.stop(new TransferStop('was cancelled'));

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    deadline: number,
    totalTimeoutMs: number,
  ) {
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    const timedOut =
      `timed out: the model was not downloaded within ${totalTimeoutMs} ms ` +
      `(total time limit, ${DOWNLOAD_TIMEOUT_ENV})`;
    this.deadlineTimer = setTimeout(() => this.stop(new TransferStop(timedOut)), Math.max(0, deadline - Date.now()));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the transfer was stopped, or undefined while it runs. */
  get reason(): TransferStop | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as TransferStop) : undefined;
  }

  readonly stop = (reason: TransferStop): void => {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  };

  dispose(): void {
    clearTimeout(this.deadlineTimer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
