import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UNCAUGHT_MARKER } from './uncaught-monitor';

/**
 * A process the run watches from outside: its memory is polled (and it is killed past a bound,
 * because a decompression bomb grows native memory that --max-old-space-size never sees), its
 * peak RSS is read from the kernel, and uncaught errors are read from its stderr.
 */

export const MONITOR = path.join(__dirname, 'uncaught-monitor.js');

function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(VmRSS|VmHWM):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]] = Number(m[2]) / 1024;
    }
  } catch {
    // gone
  }
  return out;
}

export interface WatchOptions {
  name: string;
  maxRssMb: number;
  /** Called for every complete line the process prints (stdout and stderr). */
  onLine?(line: string): void;
}

/** Every process still running, killed if the run itself ends early (Ctrl-C, an error). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class Watched {
  readonly child: ChildProcess;
  /** Highest RSS seen since the last resetPeak(), in MB (polled, and the kernel's high-water mark). */
  peakMb = 0;
  memoryKilled = false;
  exited = false;
  exitDescription = '';
  /** Uncaught errors not yet claimed by a case. */
  uncaught: string[] = [];
  lines = 0;
  private readonly poll: NodeJS.Timeout;
  private readonly exitWaiters: Array<() => void> = [];

  constructor(
    child: ChildProcess,
    private readonly options: WatchOptions,
  ) {
    this.child = child;
    running.add(child);
    const onData = (stream: NodeJS.ReadableStream | null): void => {
      let pending = '';
      stream?.on('data', (data: Buffer) => {
        pending += data.toString();
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) {
          if (line.trim() === '') continue;
          this.lines++;
          if (line.startsWith(UNCAUGHT_MARKER)) this.uncaught.push(line.slice(UNCAUGHT_MARKER.length + 1));
          if (process.env.FUZZ_DEBUG) process.stderr.write(`[${options.name}] ${line}\n`);
          options.onLine?.(line);
        }
      });
    };
    onData(child.stdout);
    onData(child.stderr);
    child.once('exit', (code, signal) => {
      running.delete(child);
      this.exited = true;
      this.exitDescription = signal
        ? `killed by ${signal}${this.memoryKilled ? ` after passing ${options.maxRssMb} MB` : ''}`
        : `exited with code ${code}`;
      clearInterval(this.poll);
      for (const wake of this.exitWaiters.splice(0)) wake();
    });
    this.poll = setInterval(() => this.sample(), 25);
    this.poll.unref();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  rssMb(): number {
    return procStatus(this.pid).VmRSS ?? 0;
  }

  private sample(): void {
    const status = procStatus(this.pid);
    const rss = status.VmRSS ?? 0;
    this.peakMb = Math.max(this.peakMb, rss, status.VmHWM ?? 0);
    if (rss > this.options.maxRssMb && !this.exited) {
      this.memoryKilled = true;
      this.child.kill('SIGKILL');
    }
  }

  /** Starts peak tracking afresh (after warm-up), clearing the kernel's high-water mark too. */
  resetPeak(): void {
    try {
      fs.writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
    } catch {
      // not permitted: the polled maximum still counts from now
    }
    this.peakMb = this.rssMb();
  }

  takeUncaught(): string[] {
    return this.uncaught.splice(0);
  }

  whenExited(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.whenExited();
  }
}

export function nodeArgs(maxOldSpaceMb: number): string[] {
  return [`--max-old-space-size=${maxOldSpaceMb}`, '--require', MONITOR];
}

/** A child speaking the fuzz IPC protocol. */
export function forkChild(script: string, maxOldSpaceMb: number, options: WatchOptions): Watched {
  const child = fork(script, [], {
    execArgv: nodeArgs(maxOldSpaceMb),
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new Watched(child, options);
}

export function spawnNode(
  args: string[],
  maxOldSpaceMb: number,
  env: NodeJS.ProcessEnv,
  options: WatchOptions,
): Watched {
  const child = spawn(process.execPath, [...nodeArgs(maxOldSpaceMb), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Watched(child, options);
}

/** Sends one request and waits for the reply that `accept` recognises, the child's death, or the bound. */
export function request<T>(
  watched: Watched,
  message: object,
  accept: (reply: unknown) => T | undefined,
  boundMs: number,
): Promise<T | 'died' | 'timeout'> {
  if (watched.exited) return Promise.resolve('died');
  return new Promise((resolve) => {
    const finish = (value: T | 'died' | 'timeout'): void => {
      clearTimeout(timer);
      watched.child.off('message', onMessage);
      watched.child.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (reply: unknown): void => {
      const value = accept(reply);
      if (value !== undefined) finish(value);
    };
    const onExit = (): void => finish('died');
    const timer = setTimeout(() => finish('timeout'), boundMs);
    watched.child.on('message', onMessage);
    watched.child.once('exit', onExit);
    watched.child.send(message, (error) => {
      if (error) finish('died');
    });
  });
}
