/** What a wait is for, named in its timeout error; a function is called only when the wait fails. */
export interface WaitOptions {
  what: string | (() => string);
  /** How long before the wait fails (default 20 s: a model loading on a busy CI machine). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const POLL_MS = 20;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The text of a wait's `what`. */
export function whatOf(what: WaitOptions['what']): string {
  return typeof what === 'function' ? what() : what;
}

function timeoutError(options: WaitOptions, timeoutMs: number): Error {
  return new Error(`timed out after ${timeoutMs} ms waiting for ${whatOf(options.what)}`);
}

/**
 * Polls `probe` until it returns something other than undefined, null or false, and resolves with
 * that value (so a wait can hand back what it waited for).
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw timeoutError(options, timeoutMs);
    await sleep(POLL_MS);
  }
}

/** The part of an EventEmitter a wait needs. */
export interface Emitter<T> {
  on(event: string, listener: (value: T) => void): unknown;
  off(event: string, listener: (value: T) => void): unknown;
}

export interface EventWaitOptions<T> extends WaitOptions {
  /** Only an event whose first argument passes counts (default: any). */
  matching?: (value: T) => boolean;
  /** The state now: when it already matches, the wait is over without an event. */
  current?: () => T;
}

/**
 * The first `event` (its first argument) that matches. Event-driven rather than polled, so a
 * passing state that lasts less than a poll interval is still seen.
 */
export function nextEvent<T>(emitter: Emitter<T>, event: string, options: EventWaitOptions<T>): Promise<T> {
  const matching = options.matching ?? (() => true);
  if (options.current && matching(options.current())) return Promise.resolve(options.current());
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const listener = (value: T): void => {
      if (!matching(value)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(value);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(timeoutError(options, timeoutMs));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}
