/** Value at quantile q (0..1) of sorted numbers, nearest-rank; undefined when empty. */
export function percentile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface StatsSnapshot {
  ts: number;
  intervalMs: number;
  frames: number;
  fps: number;
  latencyMs: { p50: number | null; p95: number | null };
  inferenceMs: { p50: number | null; p95: number | null };
  /** Frames the classifier reported dropping (its cumulative counter, summed over sources). */
  framesDropped: number;
  /** Results the classifier held back so that an older frame's went out first (cumulative, summed over models). */
  framesHeldForOrder: number;
  queueDepth: number;
  mqtt: { queued: number; dropped: number; skippedQos0: number };
  memory: { rssMB: number; heapUsedMB: number };
  sources: string[];
}

/**
 * Collects per-frame figures between two stats publications. Latencies are kept per interval
 * (reset after each snapshot) so percentiles describe recent behaviour, not the whole uptime.
 */
export class FrameStats {
  private latencies: number[] = [];
  private inferences: number[] = [];
  private frames = 0;
  private windowStart: number;
  private readonly classifierDropped = new Map<string, number>();
  private readonly classifierDepth = new Map<string, number>();
  private readonly classifierHeld = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(now: number = Date.now()) {
    this.windowStart = now;
  }

  /**
   * `queue` is the classifier's cumulative counter, so only its newest value per queue counts. One
   * model serves every source sent through it (the main job's folder and POST /classify share one),
   * so the queue is known by its model; by the source when the frame names no model.
   */
  record(
    source: string,
    totalMs?: number,
    inferenceMs?: number,
    queue?: { dropped: number; depth: number; heldForOrder?: number },
    model?: string,
  ): void {
    this.frames += 1;
    this.seen.add(source);
    if (typeof totalMs === 'number' && Number.isFinite(totalMs)) this.latencies.push(totalMs);
    if (typeof inferenceMs === 'number' && Number.isFinite(inferenceMs)) this.inferences.push(inferenceMs);
    if (queue) {
      const key = typeof model === 'string' && model.length > 0 ? `model:${model}` : `source:${source}`;
      this.classifierDropped.set(key, queue.dropped);
      this.classifierDepth.set(key, queue.depth);
      if (typeof queue.heldForOrder === 'number') this.classifierHeld.set(key, queue.heldForOrder);
    }
  }

  /** Summarises the interval since the last snapshot and starts a new one. */
  snapshot(mqtt: StatsSnapshot['mqtt'], now: number = Date.now()): StatsSnapshot {
    const intervalMs = Math.max(1, now - this.windowStart);
    const latencies = [...this.latencies].sort((a, b) => a - b);
    const inferences = [...this.inferences].sort((a, b) => a - b);
    const memory = process.memoryUsage();
    const round = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms * 100) / 100);
    const snapshot: StatsSnapshot = {
      ts: now,
      intervalMs,
      frames: this.frames,
      fps: Math.round((this.frames * 1000 * 100) / intervalMs) / 100,
      latencyMs: { p50: round(percentile(latencies, 0.5)), p95: round(percentile(latencies, 0.95)) },
      inferenceMs: { p50: round(percentile(inferences, 0.5)), p95: round(percentile(inferences, 0.95)) },
      framesDropped: sum(this.classifierDropped.values()),
      framesHeldForOrder: sum(this.classifierHeld.values()),
      queueDepth: sum(this.classifierDepth.values()),
      mqtt,
      memory: { rssMB: toMB(memory.rss), heapUsedMB: toMB(memory.heapUsed) },
      sources: [...this.seen],
    };
    this.latencies = [];
    this.inferences = [];
    this.frames = 0;
    this.windowStart = now;
    return snapshot;
  }
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function toMB(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
