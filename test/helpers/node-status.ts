import type { SpiedNode } from './node-red';
import { type WaitOptions, waitFor, whatOf } from './wait';

export interface StatusLike {
  fill?: string;
  shape?: string;
  text?: string;
}

type SpiedMethod = 'status' | 'warn' | 'error' | 'log';

/**
 * The test helper spies on Node.prototype, so a spy's calls are every node's: these are `node`'s
 * own (status, warn, error, log), in order.
 */
export function ownCalls(node: SpiedNode, method: SpiedMethod): unknown[][] {
  const spy = node[method] as unknown as { thisValues: unknown[]; args: unknown[][] };
  return spy.args.filter((_args, i) => spy.thisValues[i] === node);
}

export function statusesOf(node: SpiedNode): StatusLike[] {
  return ownCalls(node, 'status').map((args) => (args[0] ?? {}) as StatusLike);
}

export function lastStatusOf(node: SpiedNode): StatusLike | undefined {
  return statusesOf(node).at(-1);
}

/** What a node's warn/error calls said, as text (an Error's message, else the value). */
export function said(node: SpiedNode, method: 'warn' | 'error'): string[] {
  return ownCalls(node, method).map(([value]) => {
    if (value instanceof Error) return value.message;
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Waits until the node's own latest status passes `test`, and returns that status. */
export function waitForStatus(
  node: SpiedNode,
  test: (status: StatusLike) => boolean,
  options: Partial<WaitOptions> = {},
): Promise<StatusLike> {
  const what = options.what ?? 'the status';
  const seen = (): string => `${whatOf(what)} on ${node.id} (last: ${JSON.stringify(statusesOf(node).slice(-3))})`;
  return waitFor(
    () => {
      const last = lastStatusOf(node);
      return last && test(last) ? last : undefined;
    },
    { what: seen, timeoutMs: options.timeoutMs },
  );
}
