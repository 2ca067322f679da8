/** One classification of the region, as a label set's `match` answers it. */
export interface StateResult {
  label: string;
  /** Calibrated score of `label`, 0..1. */
  score: number;
  /** False when the matcher was unsure (`label` is then `unknown`); such a result never votes. */
  known?: boolean;
}

/** What the watcher believes the region shows, and since when. */
export interface StateSnapshot {
  /** The published state; null until K results first agreed. */
  current: string | null;
  /** The state before `current`; null before the second state. */
  previous: string | null;
  /** When `current` was published (ms since the epoch); null before the first state. */
  changedAt: number | null;
  /** Mean score of the results that agreed on `current`. */
  score: number | null;
}

/** When a new state counts as settled: how many agreeing results, each at what score. */
export interface ConsensusOptions {
  /** Consecutive agreeing results needed before a new state is published. Default 3. */
  frames?: number;
  /** A result votes only with a score at or above this (0..1). Default 0.8. */
  minScore?: number;
}

export const DEFAULT_CONSENSUS: Required<ConsensusOptions> = { frames: 3, minScore: 0.8 };

/** A new state that K agreeing results have confirmed. */
export interface ConsensusChange {
  state: string;
  previous: string | null;
  changedAt: number;
  score: number;
}

export function resolveConsensusOptions(options: ConsensusOptions = {}): Required<ConsensusOptions> {
  const frames = options.frames ?? DEFAULT_CONSENSUS.frames;
  const minScore = options.minScore ?? DEFAULT_CONSENSUS.minScore;
  if (!Number.isInteger(frames) || frames < 1 || frames > 1000) {
    throw new RangeError(`consensus frames must be an integer from 1 to 1000, got ${JSON.stringify(frames)}`);
  }
  if (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1)) {
    throw new RangeError(`consensus minScore must be a number from 0 to 1, got ${JSON.stringify(minScore)}`);
  }
  return { frames, minScore };
}

/**
 * Publishes a state only after K consecutive results agree on it with a score at or above the
 * threshold, and only when it differs from the current one, so a flicker never reaches the broker.
 * Any other result (another label, `unknown`, a low score) starts the count again.
 */
export class Consensus {
  readonly options: Required<ConsensusOptions>;
  private snapshot: StateSnapshot = { current: null, previous: null, changedAt: null, score: null };
  private candidate: string | null = null;
  private streak: number[] = [];

  constructor(options: ConsensusOptions = {}) {
    this.options = resolveConsensusOptions(options);
  }

  get state(): StateSnapshot {
    return { ...this.snapshot };
  }

  /** True while a state other than the current one has votes but not yet enough. */
  get confirming(): boolean {
    return this.candidate !== null && this.candidate !== this.snapshot.current && this.streak.length > 0;
  }

  /** Whether `result` can vote at all (known and confident enough). */
  votes(result: StateResult): boolean {
    return result.known !== false && result.score >= this.options.minScore;
  }

  /** Counts one result; returns the change when it completes K agreeing votes for a new state. */
  update(result: StateResult, ts: number): ConsensusChange | undefined {
    if (!this.votes(result)) {
      this.candidate = null;
      this.streak = [];
      return undefined;
    }
    if (result.label !== this.candidate) {
      this.candidate = result.label;
      this.streak = [];
    }
    this.streak.push(result.score);
    if (this.streak.length > this.options.frames) this.streak.shift();
    if (this.streak.length < this.options.frames || result.label === this.snapshot.current) return undefined;
    const score = this.streak.reduce((a, b) => a + b, 0) / this.streak.length;
    const change: ConsensusChange = { state: result.label, previous: this.snapshot.current, changedAt: ts, score };
    this.snapshot = { current: result.label, previous: this.snapshot.current, changedAt: ts, score };
    this.streak = [];
    this.candidate = result.label;
    return change;
  }
}
