/** Percentile over a sliding window of recent samples: bounded memory for a months-long run. */
export class LatencyWindow {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(private readonly size = 500) {}

  add(ms: number): void {
    if (this.samples.length < this.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }

  percentile(p: number): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[index];
  }
}

/** Frames per second over the last `windowMs`, from completion timestamps. */
export class RateMeter {
  private readonly stamps: number[] = [];

  constructor(private readonly windowMs = 10_000) {}

  tick(now = Date.now()): void {
    this.stamps.push(now);
    this.trim(now);
  }

  rate(now = Date.now()): number {
    this.trim(now);
    const n = this.stamps.length;
    if (n < 2) return 0;
    // n completions bound n - 1 intervals; counting n over the span overstated slow or new streams (2 frames 1 s apart
    // read 2 fps).
    const span = (this.stamps[n - 1] - this.stamps[0]) / 1000;
    return span > 0 ? (n - 1) / span : 0;
  }

  private trim(now: number): void {
    while (this.stamps.length > 0 && now - this.stamps[0] > this.windowMs) this.stamps.shift();
  }
}
