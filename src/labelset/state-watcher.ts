import type { ImageInput, Roi } from '../image/types';
import { Consensus, type ConsensusOptions, type StateResult, type StateSnapshot } from './consensus';
import { frameJpeg } from './frame-jpeg';
import { greyFrame } from './motion-frame';
import { type ClassifyReason, MotionGate, type MotionOptions } from './motion-gate';
import { ReviewQueue, type ReviewQueueOptions } from './review-queue';
import { optionalStateRoi } from './state-roi';

/**
 * Classifies the region of a frame: typically `classifier.embed(image, { roi })` then
 * `labelSet.match(embedding)`, or `classifier.classify(image, { roi })` for ImageNet labels.
 * The ROI is handed over so the embedding describes the region, not the whole scene.
 */
export type ClassifyRegion = (image: ImageInput, roi: Roi | undefined) => Promise<StateResult>;

/** A StateWatcher's classifier function, region, motion gate, consensus and review settings. */
export interface StateWatcherOptions {
  classify: ClassifyRegion;
  /** The label set's fixed region: pixels when any value > 1, else fractions of the frame. Default: whole frame. */
  roi?: Roi;
  motion?: MotionOptions;
  consensus?: ConsensusOptions;
  review?: ReviewQueueOptions & {
    /** A classified frame whose score is below this (or `unknown`) is kept for review. Default: consensus minScore. */
    below?: number;
  };
  /** Largest frame accepted, width × height, checked before decoding. Default 50e6. */
  maxPixels?: number;
}

/** A new state, confirmed by K agreeing frames, with the frame that confirmed it. */
export interface StateChange {
  state: string;
  /** The state before; null for the first state after start. */
  previous: string | null;
  /** Capture time of the confirming frame, ms since the epoch. */
  changedAt: number;
  /** Mean score of the agreeing results. */
  score: number;
  /** The confirming frame, whole (not just the region), as a JPEG. */
  frameJpeg: Buffer;
}

/** Why a frame was not classified. `no-motion`: the region held still; `busy`: a newer frame replaced it. */
export type SkipReason = 'no-motion' | 'busy';

/** What became of one frame. */
export type WatchOutcome =
  | {
      classified: StateResult & { reason: ClassifyReason };
      skipped?: undefined;
      /** Present when this frame completed the agreement on a new state. */
      change?: StateChange;
      /** Fraction of the region that changed since the last classified frame (1 on the first). */
      changedArea: number;
    }
  | { classified?: undefined; skipped: SkipReason; change?: undefined; changedArea?: number };

/** Frames seen, classified and skipped (by reason), state changes, and the review queue's size. */
export interface StateWatcherStats {
  frames: number;
  classified: number;
  skipped: Record<SkipReason, number>;
  changes: number;
  review: { size: number; bytes: number; dropped: number };
}

interface Waiting {
  image: ImageInput;
  ts: number;
  resolve: (outcome: WatchOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Watches one camera's region and turns frames into states: a motion gate skips frames where the
 * region held still (counted), the classify function runs on the rest, a consensus of K agreeing
 * results publishes a new state, and doubtful or state-changing frames are kept for review.
 *
 * Use one watcher per camera and region: the motion reference, the votes and the state are theirs.
 * Frames are handled one at a time, in order. A frame arriving while one is being handled waits;
 * a newer one replaces it, and the replaced frame resolves as skipped `busy` (counted).
 */
export class StateWatcher {
  /** Frames kept for labelling later. */
  readonly review: ReviewQueue;
  readonly roi: Roi | undefined;
  private readonly classify: ClassifyRegion;
  private readonly gate: MotionGate;
  private readonly consensus: Consensus;
  private readonly reviewBelow: number;
  private readonly maxPixels: number | undefined;
  private readonly counts = { frames: 0, classified: 0, changes: 0, skipped: { 'no-motion': 0, busy: 0 } };
  private running = false;
  private waiting: Waiting | undefined;
  private latest: { image: ImageInput; ts: number } | undefined;

  /** @throws ImageError (`INVALID_ROI`) for a bad region, RangeError for an option out of range. */
  constructor(options: StateWatcherOptions) {
    if (typeof options?.classify !== 'function')
      throw new TypeError('StateWatcher needs a classify(image, roi) function');
    this.classify = options.classify;
    this.roi = optionalStateRoi(options.roi);
    this.consensus = new Consensus(options.consensus);
    // Twice K: room for one broken streak and a full one before the gate waits for motion again.
    this.gate = new MotionGate(options.motion, 2 * this.consensus.options.frames);
    this.review = new ReviewQueue(options.review);
    this.reviewBelow = options.review?.below ?? this.consensus.options.minScore;
    if (!(this.reviewBelow >= 0 && this.reviewBelow <= 1)) {
      throw new RangeError(`review below must be a number from 0 to 1, got ${JSON.stringify(options.review?.below)}`);
    }
    this.maxPixels = options.maxPixels;
  }

  /** The published state, the one before it and when it changed. */
  get state(): StateSnapshot {
    return this.consensus.state;
  }

  /**
   * Classifies the next frame even if the region holds still, and the frames after it while a new
   * state collects its votes: call it after the label set changed (an example taught or a class
   * forgotten), so the state follows without waiting for motion or the heartbeat.
   */
  classifyNext(): void {
    this.gate.reset();
  }

  /** The newest frame that decoded and fits the region (for "teach what the camera sees now"); undefined before it. */
  get currentFrame(): { image: ImageInput; ts: number } | undefined {
    return this.latest;
  }

  stats(): StateWatcherStats {
    return { ...this.counts, skipped: { ...this.counts.skipped }, review: this.review.stats() };
  }

  /**
   * Handles one frame. Rejects with the image room's `ImageError` for a frame that cannot be
   * decoded or whose size the region does not fit, and with the classify function's error; the
   * watcher keeps working either way and the failed frame changes nothing.
   * @param ts capture time in ms since the epoch (default now): drives the heartbeat and `changedAt`.
   */
  process(image: ImageInput, ts: number = Date.now()): Promise<WatchOutcome> {
    this.counts.frames += 1;
    return new Promise<WatchOutcome>((resolve, reject) => {
      if (this.waiting) {
        this.counts.skipped.busy += 1;
        this.waiting.resolve({ skipped: 'busy' });
      }
      this.waiting = { image, ts, resolve, reject };
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting) {
      const job = this.waiting;
      this.waiting = undefined;
      try {
        job.resolve(await this.handle(job.image, job.ts));
      } catch (error) {
        job.reject(error);
      }
    }
    this.running = false;
  }

  private async handle(image: ImageInput, ts: number): Promise<WatchOutcome> {
    const grey = await greyFrame(image, this.roi, this.gate.options.size, this.maxPixels);
    // Only a frame that decoded and fits the region can be taught later.
    this.latest = { image, ts };
    const decision = this.gate.decide(grey, ts, this.consensus.confirming);
    if (decision.reason === undefined) {
      this.counts.skipped['no-motion'] += 1;
      return { skipped: 'no-motion', changedArea: decision.changedArea };
    }
    const result = await this.classify(image, this.roi);
    checkResult(result);
    this.gate.classified(grey, ts, decision.reason);
    this.counts.classified += 1;
    const agreed = this.consensus.update(result, ts);
    const classified = {
      label: result.label,
      score: result.score,
      known: result.known !== false,
      reason: decision.reason,
    };
    const unsure = result.known === false || result.score < this.reviewBelow;
    if (!agreed && !unsure) return { classified, changedArea: decision.changedArea };

    const jpeg = await frameJpeg(image, this.maxPixels);
    this.review.add(
      { reason: agreed ? 'state-change' : 'low-score', ts, label: result.label, score: result.score },
      jpeg,
    );
    if (!agreed) return { classified, changedArea: decision.changedArea };
    this.counts.changes += 1;
    return { classified, change: { ...agreed, frameJpeg: jpeg }, changedArea: decision.changedArea };
  }
}

function checkResult(result: StateResult): void {
  if (typeof result?.label !== 'string' || typeof result.score !== 'number' || Number.isNaN(result.score)) {
    throw new TypeError(
      `the classify function must resolve to {label: string, score: number, known?: boolean}, got ` +
        `${JSON.stringify(result)}`,
    );
  }
}
