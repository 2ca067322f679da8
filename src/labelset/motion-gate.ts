import { changedFraction, type GreyFrame } from './motion-frame';

/** How the motion gate decides that the region changed. */
export interface MotionOptions {
  /** A pixel counts as changed when its grey value moved by more than this (0..255). Default 25. */
  pixelThreshold?: number;
  /** The region changed when at least this fraction (0..1) of its pixels changed (0: every frame). Default 0.02. */
  minChangedArea?: number;
  /** Side of the grey copy the difference is taken on, in pixels (8..256). Default 64. */
  size?: number;
  /** Classify at least this often even when nothing moves, in ms; 0 turns the heartbeat off. Default 60 000. */
  heartbeatMs?: number;
  /**
   * Frames classified after the last moving one, so a change that happened between two frames can
   * still collect its agreeing results once the scene holds still. Default 2.
   */
  settleFrames?: number;
}

export type ResolvedMotionOptions = Required<MotionOptions>;

/** Why a frame was classified. */
export type ClassifyReason = 'first' | 'motion' | 'settle' | 'confirm' | 'heartbeat';

export interface GateDecision {
  /** Undefined when the frame is skipped because nothing moved. */
  reason: ClassifyReason | undefined;
  /** Fraction of the region's pixels that changed since the last classified frame (1 for the first). */
  changedArea: number;
}

export const DEFAULT_MOTION: ResolvedMotionOptions = {
  pixelThreshold: 25,
  minChangedArea: 0.02,
  size: 64,
  heartbeatMs: 60_000,
  settleFrames: 2,
};

function checkRange(name: string, value: number, min: number, max: number, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a number';
    throw new RangeError(`motion ${name} must be ${kind} from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fills in the defaults and refuses values out of range with a RangeError naming the option. */
export function resolveMotionOptions(options: MotionOptions = {}): ResolvedMotionOptions {
  const o = { ...DEFAULT_MOTION, ...stripUndefined(options) };
  return {
    pixelThreshold: checkRange('pixelThreshold', o.pixelThreshold, 0, 255),
    minChangedArea: checkRange('minChangedArea', o.minChangedArea, 0, 1),
    size: checkRange('size', o.size, 8, 256, true),
    heartbeatMs: checkRange('heartbeatMs', o.heartbeatMs, 0, 7 * 24 * 3600_000),
    settleFrames: checkRange('settleFrames', o.settleFrames, 0, 100, true),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Decides, per frame, whether the region is worth classifying. The reference is the last frame
 * that was classified, not the previous frame: a slow change (a door creeping open over a minute)
 * adds up until it crosses the threshold instead of hiding below it frame after frame.
 */
export class MotionGate {
  readonly options: ResolvedMotionOptions;
  private reference: GreyFrame | undefined;
  private lastClassifiedAt = -Infinity;
  private settleLeft = 0;
  private confirmLeft = 0;

  /**
   * @param confirmFrames frames classified at most to confirm a new state after each trigger (first
   * frame, motion, heartbeat): a still region whose results keep disagreeing is not classified forever.
   */
  constructor(
    options: MotionOptions = {},
    private readonly confirmFrames = 10,
  ) {
    this.options = resolveMotionOptions(options);
  }

  /** Whether to classify this frame; `confirming` keeps the gate open while a new state collects its votes. */
  decide(frame: GreyFrame, ts: number, confirming: boolean): GateDecision {
    if (this.reference === undefined) return { reason: 'first', changedArea: 1 };
    const changedArea = changedFraction(this.reference, frame, this.options.pixelThreshold);
    // minChangedArea 0 is the gate switched off: every frame counts as moved, even one identical to the last.
    if (changedArea >= this.options.minChangedArea) return { reason: 'motion', changedArea };
    if (this.settleLeft > 0) return { reason: 'settle', changedArea };
    if (confirming && this.confirmLeft > 0) return { reason: 'confirm', changedArea };
    const { heartbeatMs } = this.options;
    // A clock set back (NTP after boot on a board without RTC) counts as due rather than silencing the heartbeat.
    const since = ts - this.lastClassifiedAt;
    if (heartbeatMs > 0 && (since >= heartbeatMs || since < 0)) return { reason: 'heartbeat', changedArea };
    return { reason: undefined, changedArea };
  }

  /** Forgets the reference: the next frame is classified as if it were the first. */
  reset(): void {
    this.reference = undefined;
  }

  /** Called once the frame was classified: it becomes the reference the next frames are compared with. */
  classified(frame: GreyFrame, ts: number, reason: ClassifyReason): void {
    this.reference = frame;
    this.lastClassifiedAt = ts;
    if (reason === 'motion' || reason === 'first') this.settleLeft = this.options.settleFrames;
    else if (reason === 'settle') this.settleLeft = Math.max(0, this.settleLeft - 1);
    if (reason === 'confirm') this.confirmLeft = Math.max(0, this.confirmLeft - 1);
    else if (reason !== 'settle') this.confirmLeft = this.confirmFrames;
  }
}
