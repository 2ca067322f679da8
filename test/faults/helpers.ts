import type { SpiedNode } from '../nodes/helpers/node-red';

export interface StatusLike {
  fill?: string;
  shape?: string;
  text?: string;
}

/**
 * The helper spies on Node.prototype, so a spy's calls are every node's: these are `node`'s own
 * (status, warn, error, log), in order.
 */
export function ownCalls(node: SpiedNode, method: 'status' | 'warn' | 'error' | 'log'): unknown[][] {
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
  return ownCalls(node, method).map(([value]) =>
    value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value),
  );
}
