import { toError } from '../../src';
import type { DoneFunction } from './red-api';
import { status, type StatusThrottle } from './status';

/**
 * The one way a node's input handler fails: the reason shows under the node (throttled, so a
 * stream of bad messages does not flood the editor) and `done(err)` hands it to Node-RED, which
 * logs it with the msg so a Catch node sees both. The node itself keeps working.
 */
export function failInput(statuses: StatusThrottle, done: DoneFunction, thrown: unknown): void {
  const error = toError(thrown);
  statuses.update(() => status.failed(error.message));
  done(error);
}
