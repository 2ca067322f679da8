import { spawn, type ChildProcess } from 'node:child_process';
import { BaseFrameSource } from './base-source';
import type { CommandSourceConfig } from './frame';
import { JpegSplitter } from './jpeg-splitter';

const DEFAULT_KILL_GRACE_MS = 2000;
/** Enough of stderr to explain why a camera command died. */
const STDERR_TAIL_CHARS = 2000;

/**
 * Frames from a command writing MJPEG to stdout (`rpicam-vid --codec mjpeg -o -`,
 * `ffmpeg ... -f mjpeg -`). Spawned without a shell, in its own process group so stop() also
 * reaches helpers the command started (a wrapper script's ffmpeg, say).
 */
export class CommandFrameSource extends BaseFrameSource {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(override readonly config: CommandSourceConfig) {
    super(config);
  }

  /** The running child's pid, for status display and tests. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  protected open(run: number): void {
    const { command, args } = this.config;
    const splitter = new JpegSplitter(this.maxFrameBytes);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    let stderrTail = '';
    child.stdout!.on('data', (chunk: Buffer) => this.feed(run, splitter, chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    // A pipe error (EPIPE, a reset) would otherwise be an unhandled 'error' event and take the
    // whole runtime down; the process's own exit reports the failure.
    child.stdout!.on('error', () => undefined);
    child.stderr!.on('error', () => undefined);
    child.once('error', (err) => this.fail(run, new Error(`cannot run camera command "${command}": ${err.message}`)));
    child.once('exit', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
      const why = lastLine(stderrTail);
      this.fail(run, new Error(`camera command "${command}" ${how}${why ? `: ${why}` : ''}`));
    });
  }

  protected async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = this.exited;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      signalGroup(child, 'SIGTERM');
      const graceMs = this.config.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (gaveUp) {
        signalGroup(child, 'SIGKILL');
        await exited;
      }
    } else if (child.pid !== undefined) {
      // The leader is gone; anything it left in its group goes too.
      signalGroup(child, 'SIGKILL');
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    // Node frees the process handle in the close phase after 'exit': wait for it, so that when
    // stop() resolves no handle of ours is left.
    await nextLoopTurn();
    await nextLoopTurn();
  }
}

function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is already empty (ESRCH); fall back to the leader in case it is not a group leader.
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}
