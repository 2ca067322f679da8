import * as fs from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface ProcessSnapshot {
  rssMb: number;
  heapMb: number;
  threads: number;
  fds: number;
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Threads of this process, as the kernel counts them (0 where /proc is missing). */
export function threadCount(): number {
  try {
    const match = /^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of this process (sockets, pipes and files alike). */
export function fdCount(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/**
 * RSS after a full garbage collection when the process runs with --expose-gc: what is left is
 * what the process really keeps, not garbage that happens not to be collected yet.
 */
export function snapshot(): ProcessSnapshot {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const memory = process.memoryUsage();
  return { rssMb: mb(memory.rss), heapMb: mb(memory.heapUsed), threads: threadCount(), fds: fdCount() };
}

/** Event-loop delay over the measured part of the run (after warm-up), in milliseconds. */
export class LoopDelay {
  private static readonly RESOLUTION_MS = 5;
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: LoopDelay.RESOLUTION_MS });

  start(): void {
    this.histogram.reset();
    this.histogram.enable();
  }

  stop(): { p50Ms: number; p99Ms: number; maxMs: number } {
    this.histogram.disable();
    // The histogram records the whole interval between samples; the delay is what exceeds it.
    const ms = (ns: number): number => Math.max(0, Math.round((ns / 1e6 - LoopDelay.RESOLUTION_MS) * 10) / 10);
    return {
      p50Ms: ms(this.histogram.percentile(50)),
      p99Ms: ms(this.histogram.percentile(99)),
      maxMs: ms(this.histogram.max),
    };
  }
}
