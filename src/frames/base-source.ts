import { EventEmitter } from 'node:events';
import { Backoff } from './backoff';
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_RESTART,
  type Frame,
  type FrameSource,
  type FrameSourceConfig,
  type FrameSourceState,
  type FrameSourceStats,
} from './frame';
import type { FrameSplitter } from './jpeg-splitter';
import { LatestFrameGate } from './latest-frame-gate';
import { toError } from '../to-error';

/**
 * What every frame source shares: the state machine, restart with backoff, the latest-frame-wins
 * gate and the stats. A subclass only opens and closes its transport.
 *
 * Each open() is a "run" with a number; callbacks carry it, and anything reported by a run that
 * is no longer current (it already failed, or stop() was called) is ignored, so a dying child
 * or socket can never emit frames or trigger a second restart.
 */
export abstract class BaseFrameSource extends EventEmitter implements FrameSource {
  private currentState: FrameSourceState = 'stopped';
  private run = 0;
  private nextSeq = 0;
  private frames = 0;
  private invalid = 0;
  private restarts = 0;
  private lastError: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;
  /** start() arrived while a stop was in progress; a later stop() cancels it (the last command wins). */
  private startAfterStop = false;
  private closeChain: Promise<void> = Promise.resolve();
  private readonly gate: LatestFrameGate<Frame>;
  private readonly backoff: Backoff;
  private readonly splitterBad = new WeakMap<FrameSplitter, number>();
  protected readonly maxFrameBytes: number;

  constructor(readonly config: FrameSourceConfig) {
    super();
    this.maxFrameBytes = config.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.backoff = new Backoff(config.restart ?? DEFAULT_RESTART);
    this.gate = new LatestFrameGate<Frame>(
      (frame) => {
        this.emit('frame', frame);
        this.delivered(frame);
      },
      { maxFps: config.maxFps, pull: config.pull },
    );
  }

  get state(): FrameSourceState {
    return this.currentState;
  }

  get stats(): FrameSourceStats {
    const stats: FrameSourceStats = {
      frames: this.frames,
      emitted: this.gate.emitted,
      skipped: this.gate.skipped,
      invalid: this.invalid,
      restarts: this.restarts,
      fps: Math.round(this.gate.fps() * 100) / 100,
    };
    if (this.lastError !== undefined) stats.lastError = this.lastError;
    return stats;
  }

  start(): void {
    if (this.stopping) {
      // start/stop by message can arrive back to back: start again once the stop has finished.
      this.startAfterStop = true;
      return;
    }
    if (this.currentState !== 'stopped') return;
    this.backoff.reset();
    this.gate.resume();
    this.setState('starting');
    this.launch();
  }

  stop(): Promise<void> {
    if (this.stopping) {
      this.startAfterStop = false;
      return this.stopping;
    }
    if (this.currentState === 'stopped') return Promise.resolve();
    this.stopRequested = true;
    this.run++;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.gate.clear();
    this.stopping = this.closeTransport()
      .catch((err: unknown) => {
        this.lastError = toError(err).message;
      })
      .then(() => {
        this.stopping = undefined;
        this.stopRequested = false;
        this.setState('stopped');
        if (this.startAfterStop) {
          this.startAfterStop = false;
          this.start();
        }
      });
    return this.stopping;
  }

  pause(): void {
    this.gate.pause();
  }

  resume(): void {
    this.gate.resume();
  }

  ready(): void {
    this.gate.resume();
  }

  /** Starts the transport for run `run`; report frames with accept() and deaths with fail(). */
  protected abstract open(run: number): void | Promise<void>;

  /** Releases everything the current run holds (child, socket, timers). Must be idempotent. */
  protected abstract close(): Promise<void>;

  protected isCurrent(run: number): boolean {
    return run === this.run && !this.stopRequested;
  }

  /** A complete JPEG from run `run`. */
  protected accept(run: number, jpeg: Buffer, file?: string): void {
    if (!this.isCurrent(run)) return;
    this.frames++;
    const frame: Frame = { jpeg, source: this.config.source, seq: this.nextSeq++, ts: Date.now() };
    if (file !== undefined) frame.file = file;
    // Producing frames is the sign of a healthy run.
    this.markRunning(run);
    this.gate.offer(frame);
  }

  /**
   * The run is healthy: the next failure starts the backoff over. Sources that can be healthy
   * without frames (a watched folder nobody has dropped anything into) call this themselves.
   */
  protected markRunning(run: number): void {
    if (!this.isCurrent(run) || this.currentState === 'running') return;
    this.backoff.reset();
    this.setState('running');
  }

  /** Feeds a chunk through a splitter, accepting its frames and counting the ones it threw away. */
  protected feed(run: number, splitter: FrameSplitter, chunk: Buffer): void {
    if (!this.isCurrent(run)) return;
    for (const jpeg of splitter.push(chunk)) this.accept(run, jpeg);
    const bad = splitter.stats.corrupt + splitter.stats.oversized;
    const seen = this.splitterBad.get(splitter) ?? 0;
    if (bad > seen) {
      this.invalid += bad - seen;
      this.splitterBad.set(splitter, bad);
    }
  }

  /** A frame was handed to the consumer (a folder source applies its retention policy here). */
  protected delivered(_frame: Frame): void {}

  /** A frame waits in the gate (rate cap, or a busy consumer): a source that can wait holds the next one back. */
  protected get frameWaiting(): boolean {
    return this.gate.hasPending;
  }

  protected countInvalid(n = 1): void {
    this.invalid += n;
  }

  /** Reports a problem that does not end the run (a bad file in a folder, say). */
  protected warn(run: number, err: Error): void {
    if (!this.isCurrent(run)) return;
    this.lastError = err.message;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Run `run` died: close it and restart after the backoff delay. */
  protected fail(run: number, err: Error): void {
    if (!this.isCurrent(run)) return;
    this.run++;
    this.lastError = err.message;
    // An unhandled 'error' event would throw and take Node-RED down; lastError still records it.
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.setState('restarting');
    const delay = this.backoff.next();
    const closed = this.run;
    void this.closeTransport()
      .catch((closeErr: unknown) => {
        this.lastError = `${err.message}; closing failed: ${toError(closeErr).message}`;
      })
      .then(() => {
        if (closed !== this.run || this.stopRequested) return;
        this.restartTimer = setTimeout(() => {
          this.restartTimer = undefined;
          if (closed !== this.run || this.stopRequested) return;
          this.restarts++;
          this.launch();
        }, delay);
      });
  }

  /**
   * Closes serially: stop() arriving while a failed run is still being closed waits for that
   * close too, so it never resolves while a child or socket is still alive.
   */
  private closeTransport(): Promise<void> {
    const next = this.closeChain.then(() => this.close());
    this.closeChain = next.catch(() => undefined);
    return next;
  }

  private launch(): void {
    const run = ++this.run;
    try {
      const opened = this.open(run);
      if (opened) opened.catch((err: unknown) => this.fail(run, toError(err)));
    } catch (err) {
      this.fail(run, toError(err));
    }
  }

  private setState(state: FrameSourceState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }
}
