import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

/** A marker to put on a camera command's line (e.g. ffmpeg's -metadata comment=…) and find its process by. */
export function uniqueTag(): string {
  return `camtest-${randomBytes(6).toString('hex')}`;
}

/** Pids of live processes whose command line contains `tag`. */
export function pidsWith(tag: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', tag], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter(isAlive);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
