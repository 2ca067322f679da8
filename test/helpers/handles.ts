import { sleep } from './wait';

/** How many handles of each kind keep the event loop alive ("TCPSocketWrap" → 2, …). */
export type HandleCounts = Map<string, number>;

/**
 * Kinds that a test can leave open: children, pipes, sockets, servers, timers, file requests and
 * watchers, worker threads (a worker shows as a MessagePort). The terminal's own TTYWrap is left out.
 */
const LEAKABLE = new RegExp(
  '^(ProcessWrap|PipeWrap|TCPWrap|TCPSocketWrap|TCPServerWrap|UDPWrap|TLSWrap|Timeout|' +
    'FSReqCallback|FSReqPromise|FileHandle|StatWatcher|FSEventWrap|MessagePort)$',
);

function countHandles(): HandleCounts {
  const counts: HandleCounts = new Map();
  for (const kind of process.getActiveResourcesInfo())
    if (LEAKABLE.test(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/**
 * Counts handles after one loop turn: mocha arms its per-test timeout timer only once the test
 * function has returned its promise, and that timer must be in the baseline.
 */
export async function handleBaseline(): Promise<HandleCounts> {
  await new Promise((resolve) => setImmediate(resolve));
  return countHandles();
}

function grown(before: HandleCounts, after: HandleCounts): string[] {
  const leaks: string[] = [];
  for (const [kind, n] of after) if (n > (before.get(kind) ?? 0)) leaks.push(`${kind} +${n - (before.get(kind) ?? 0)}`);
  return leaks;
}

/**
 * Handle kinds that grew since `before`, as "Kind +n" strings (empty: nothing leaked). Closing
 * handles are released on a later loop turn, and a server-side socket closes only when the peer's
 * FIN arrives, so the check waits up to `settleMs` for the counts to come back down.
 */
export async function leakedHandles(before: HandleCounts, options: { settleMs?: number } = {}): Promise<string[]> {
  const deadline = Date.now() + (options.settleMs ?? 0);
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    const leaks = grown(before, countHandles());
    if (leaks.length === 0 || Date.now() >= deadline) return leaks;
    await sleep(20);
  }
}

/** Worker threads alive: each holds one MessagePort handle while it runs. */
export function workerThreads(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;
}

interface LiveHandle {
  constructor?: { name?: string };
  address?: () => unknown;
  remoteAddress?: string;
  remotePort?: number;
  localPort?: number;
  spawnfile?: string;
  pid?: number;
  threadId?: number;
}

/**
 * What the open handles are, for a leak report: servers with their address, sockets with their
 * ends, child processes with their command. `process._getActiveHandles` is Node's own diagnostic
 * (undocumented, but present since 0.x); timers are not in it, the counts above name them.
 */
export function describeHandles(): string[] {
  const active = (process as unknown as { _getActiveHandles?: () => LiveHandle[] })._getActiveHandles?.() ?? [];
  const stdio: unknown[] = [process.stdin, process.stdout, process.stderr];
  return active
    .filter((handle) => !stdio.includes(handle))
    .map((handle) => {
      const kind = handle.constructor?.name ?? 'handle';
      if (handle.spawnfile) return `${kind} ${handle.spawnfile} (pid ${handle.pid})`;
      if (handle.remotePort !== undefined)
        return `${kind} :${handle.localPort} → ${handle.remoteAddress}:${handle.remotePort}`;
      if (typeof handle.address === 'function') return `${kind} ${JSON.stringify(handle.address())}`;
      if (handle.threadId !== undefined) return `${kind} thread ${handle.threadId}`;
      return kind;
    });
}
