import { availableParallelism } from 'node:os';
import { describeValue } from './describe-value';

/*
 * Process-wide sharp settings for a classifier that runs for months on a 2–4 core board.
 *
 * - Cache off: libvips caches operations by their inputs, but camera frames never repeat, so the
 *   cache (50 MB by default) only holds memory without ever being hit.
 * - One libvips thread per image: the board's other cores are needed by the inference worker, and
 *   parallelism across frames already comes from running several pipelines at once.
 * - At most `maxConcurrentDecodes` pipelines at once: each occupies a libuv pool thread (4 by
 *   default), and the same pool serves fs, dns and zlib for the rest of Node-RED; leaving one
 *   free keeps MQTT reconnects and file reads from queueing behind a burst of frames.
 */
let maxConcurrent = defaultMaxConcurrentDecodes();
let running = 0;
const waiting: Array<() => void> = [];

function defaultMaxConcurrentDecodes(): number {
  const pool = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  const poolSize = Number.isInteger(pool) && pool > 0 ? pool : 4;
  return Math.max(1, Math.min(availableParallelism(), poolSize - 1));
}

/** The sharp module's own type (its typings say `export =`). */
export type SharpModule = typeof import('sharp');

let loaded: SharpModule | undefined;

/**
 * sharp (libvips, a native addon and ~60 modules), loaded by the first image rather than by `require` of the package:
 * a program that never decodes an image never loads it, and `Classifier.load` loads it while its workers load the
 * model (`preloadImageDecoder`).
 */
function sharpModule(): SharpModule {
  loaded ??= require('sharp') as SharpModule;
  return loaded;
}

/** Loads sharp now, on this thread, so the first frame does not wait for it. */
export function preloadImageDecoder(): void {
  sharpModule();
}

/**
 * The sharp module, with the settings above. They are process-wide and another copy of sharp's
 * JavaScript loaded later (its ESM entry, another package) resets them to the defaults when it
 * loads, so they are checked on every call (a few microseconds) rather than set once.
 */
export function imageSharp(): SharpModule {
  const sharp = sharpModule();
  if (sharp.cache().items.max !== 0) sharp.cache(false);
  if (sharp.concurrency() !== 1) sharp.concurrency(1);
  return sharp;
}

export function maxConcurrentDecodes(): number {
  return maxConcurrent;
}

/** Changes how many images may be decoded at once (default: cores, at most libuv pool size − 1). */
export function setMaxConcurrentDecodes(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`maxConcurrentDecodes must be an integer >= 1, got ${describeValue(limit)}`);
  }
  maxConcurrent = limit;
  wakeWaiters();
}

function wakeWaiters(): void {
  while (running < maxConcurrent && waiting.length > 0) {
    running++;
    const next = waiting.shift();
    if (next) next();
  }
}

/** Runs `task` once fewer than `maxConcurrentDecodes` image pipelines are in flight. */
export async function withDecodeSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running < maxConcurrent) {
    running++;
  } else {
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  try {
    return await task();
  } finally {
    running--;
    wakeWaiters();
  }
}
