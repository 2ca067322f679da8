/**
 * Hands frames to a consumer no faster than `maxFps` and never while it says it is busy.
 * Only one frame ever waits: a newer arrival replaces it (latest frame wins), so a slow consumer
 * sees fresh frames instead of a growing backlog. Replaced frames are counted as skipped.
 */
export interface GateOptions {
  /** 0 or undefined: no rate cap. */
  maxFps?: number;
  /** Pause automatically after each delivered frame until resume() is called. */
  pull?: boolean;
}

/** Window over which `fps` is measured. */
const FPS_WINDOW_MS = 5000;

export class LatestFrameGate<T> {
  skipped = 0;
  emitted = 0;
  private pending: T | undefined;
  private waiting = false;
  private paused = false;
  private lastEmitAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private readonly minIntervalMs: number;
  private readonly emitTimes: number[] = [];

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly options: GateOptions = {},
  ) {
    const fps = options.maxFps ?? 0;
    if (!(Number.isFinite(fps) && fps >= 0))
      throw new RangeError(`maxFps must be a number >= 0 (0 = no cap), got ${String(options.maxFps)}`);
    this.minIntervalMs = fps > 0 ? 1000 / fps : 0;
  }

  offer(item: T): void {
    if (this.waiting) this.skipped++;
    this.pending = item;
    this.waiting = true;
    this.flush();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.flush();
  }

  /** A frame waits to be delivered. */
  get hasPending(): boolean {
    return this.waiting;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Delivered frames per second over the last few seconds. */
  fps(now = Date.now()): number {
    this.trim(now);
    const n = this.emitTimes.length;
    if (n < 2) return 0;
    const span = this.emitTimes[n - 1]! - this.emitTimes[0]!;
    return span > 0 ? ((n - 1) * 1000) / span : 0;
  }

  /** Drops the waiting frame and any timer; the gate can be reused afterwards. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.waiting = false;
  }

  private flush(): void {
    if (!this.waiting || this.paused || this.timer) return;
    const wait = this.lastEmitAt + this.minIntervalMs - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, Math.ceil(wait));
      return;
    }
    const item = this.pending as T;
    this.pending = undefined;
    this.waiting = false;
    this.lastEmitAt = performance.now();
    this.emitted++;
    const now = Date.now();
    this.emitTimes.push(now);
    this.trim(now);
    if (this.options.pull) this.paused = true;
    this.deliver(item);
  }

  private trim(now: number): void {
    while (this.emitTimes.length > 0 && now - this.emitTimes[0]! > FPS_WINDOW_MS) this.emitTimes.shift();
  }
}
