import * as os from 'node:os';
import { describeValue } from '../image/describe-value';

/** The most inference workers one classifier may start: each holds its own copy of the model. */
export const MAX_WORKERS = 16;

/**
 * One worker per core but one, so the main thread (decode, MQTT, the editor) keeps a core; never
 * fewer than one. A 2-core machine gets 1, a Raspberry Pi 4 gets 3.
 */
export function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, Math.max(1, os.availableParallelism() - 1));
}

/** Why `value` is no worker count, or undefined when it is one (1..MAX_WORKERS); `name` is how the caller said it. */
export function workersProblem(name: string, value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_WORKERS) return undefined;
  return (
    `${name} must be a whole number from 1 to ${MAX_WORKERS} (inference worker threads, each holding the model), ` +
    `got ${describeValue(value)}`
  );
}
