import * as fs from 'node:fs';
import type { Frame, FrameSource, FrameSourceState } from '../../src/frames';

/** Resolves with the next `count` frames the source emits, or rejects after `timeoutMs`. */
export function nextFrames(source: FrameSource, count: number, timeoutMs = 8000): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const onFrame = (f: Frame): void => {
      frames.push(f);
      if (frames.length === count) {
        cleanup();
        resolve(frames);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `got ${frames.length} of ${count} frames in ${timeoutMs} ms (state ${source.state}, ` +
            `${JSON.stringify(source.stats)})`,
        ),
      );
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      source.off('frame', onFrame);
    };
    source.on('frame', onFrame);
  });
}

export function nextState(source: FrameSource, state: FrameSourceState, timeoutMs = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    const onState = (s: FrameSourceState): void => {
      if (s !== state) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `state ${state} not reached in ${timeoutMs} ms (state ${source.state}, ${JSON.stringify(source.stats)})`,
        ),
      );
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      source.off('state', onState);
    };
    source.on('state', onState);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Handle kinds a frame source could leak: children, pipes, sockets, timers, file requests. */
const WATCHED = new RegExp(
  String.raw`^(ProcessWrap|PipeWrap|TCPWrap|TCPSocketWrap|Timeout|FSReqCallback|FSReqPromise|FileHandle|StatWat` +
    String.raw`cher|FSEventWrap|TLSWrap)$`,
);

/**
 * Counts handles after one loop turn: mocha arms its per-test timeout timer only once the test
 * function has returned its promise, and that timer must be in the baseline.
 */
export async function handleBaseline(): Promise<Map<string, number>> {
  await new Promise((resolve) => setImmediate(resolve));
  return handleCounts();
}

function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    if (WATCHED.test(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Handle kinds that grew since `before`, as "Kind +n" strings (empty: nothing leaked). */
export async function leakedHandles(before: Map<string, number>, settleMs = 0): Promise<string[]> {
  // Closing handles are released on the next loop turn; a test's own server-side sockets close
  // when the peer's FIN arrives, so tests with a server in-process give them `settleMs`.
  const deadline = Date.now() + settleMs;
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    const after = handleCounts();
    const leaks: string[] = [];
    for (const [kind, n] of after)
      if (n > (before.get(kind) ?? 0)) leaks.push(`${kind} +${n - (before.get(kind) ?? 0)}`);
    if (leaks.length === 0 || Date.now() >= deadline) return leaks;
    await sleep(20);
  }
}

/** Whether a process is running; zombies (exited, not yet reaped) count as gone. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stateOf(stat) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of running (non-zombie) processes in process group `pgid`, read from /proc. */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after "(comm)": state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

function stateOf(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
