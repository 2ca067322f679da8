import { MqttConfigError } from './errors';
import { labelTopicClash } from './topics';

/** A label whose presence is published as ON/OFF. */
export interface WatchedLabel {
  label: string;
  /** Score at or above which a frame counts towards switching ON. */
  onThreshold: number;
  /** Score below which a frame counts towards switching OFF; <= onThreshold, the gap stops flapping. */
  offThreshold: number;
  /** Consecutive frames at or above onThreshold needed to switch ON. */
  onFrames: number;
  /** How long (ms, frame time) the score must stay below offThreshold before switching OFF. */
  holdMs: number;
}

export const WATCHED_DEFAULTS = { onThreshold: 0.6, offThreshold: 0.4, onFrames: 2, holdMs: 5000 };

export function validateWatchedLabel(input: Partial<WatchedLabel> & { label: string }): WatchedLabel {
  const watched: WatchedLabel = { ...WATCHED_DEFAULTS, ...stripUndefined(input) } as WatchedLabel;
  const where = `watched label "${String(watched.label)}"`;
  if (typeof watched.label !== 'string' || watched.label.trim().length === 0) {
    throw new MqttConfigError('a watched label needs a non-empty label name, for example "tabby, tabby cat"');
  }
  const clash = labelTopicClash(watched.label);
  if (clash !== undefined) throw new MqttConfigError(`watched ${clash}`);
  for (const key of ['onThreshold', 'offThreshold'] as const) {
    if (typeof watched[key] !== 'number' || !(watched[key] >= 0 && watched[key] <= 1)) {
      throw new MqttConfigError(`${where}: ${key} must be a number from 0 to 1, got ${String(watched[key])}`);
    }
  }
  if (watched.offThreshold > watched.onThreshold) {
    throw new MqttConfigError(
      `${where}: offThreshold (${watched.offThreshold}) must not exceed onThreshold (${watched.onThreshold})`,
    );
  }
  if (!Number.isInteger(watched.onFrames) || watched.onFrames < 1) {
    throw new MqttConfigError(`${where}: onFrames must be an integer >= 1, got ${String(watched.onFrames)}`);
  }
  if (typeof watched.holdMs !== 'number' || !(watched.holdMs >= 0) || !Number.isFinite(watched.holdMs)) {
    throw new MqttConfigError(`${where}: holdMs must be a number of milliseconds >= 0, got ${String(watched.holdMs)}`);
  }
  return watched;
}

function stripUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export type Presence = 'ON' | 'OFF';

/**
 * ON/OFF state of one watched label. Switching needs evidence in both directions (N strong frames
 * to go ON, a hold time of weak frames to go OFF) so one noisy frame never flips the state.
 */
export class LabelHysteresis {
  private current: Presence = 'OFF';
  private strongRun = 0;
  private weakSince: number | undefined;

  constructor(readonly config: WatchedLabel) {}

  get state(): Presence {
    return this.current;
  }

  /** Feeds one frame's score; returns the new state when it changed, otherwise undefined. */
  update(score: number, ts: number): Presence | undefined {
    const { onThreshold, offThreshold, onFrames, holdMs } = this.config;
    if (this.current === 'OFF') {
      this.strongRun = score >= onThreshold ? this.strongRun + 1 : 0;
      if (this.strongRun >= onFrames) {
        this.current = 'ON';
        this.strongRun = 0;
        this.weakSince = undefined;
        return 'ON';
      }
      return undefined;
    }
    if (score >= offThreshold) {
      this.weakSince = undefined;
      return undefined;
    }
    if (this.weakSince === undefined) this.weakSince = ts;
    if (ts - this.weakSince >= holdMs) {
      this.current = 'OFF';
      this.weakSince = undefined;
      return 'OFF';
    }
    return undefined;
  }
}
