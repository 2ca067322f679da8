import { LabelSetError } from './errors';
import { UNKNOWN_LABEL } from './limits';
import { dot } from './vectors';

/**
 * How a frame's embedding is compared with the taught examples:
 * - `prototype`: with each class's normalised mean (weight imprinting, Qi et al. 2018): one comparison per
 *   class, and an outlier example is averaged away.
 * - `knn`: with each class's `k` nearest examples (mean cosine of those): follows a class that looks
 *   different from several sides (a door half open, a bin from two angles) better than one mean does.
 */
export type MatchMethod = 'prototype' | 'knn';
/** `prototype` and `knn`. */
export const MATCH_METHODS: readonly MatchMethod[] = ['prototype', 'knn'];

/** How `match` compares an embedding with the taught classes: method, k, threshold and margin. */
export interface MatchOptions {
  /** Default `prototype`. */
  method?: MatchMethod;
  /** `knn` only: examples per class averaged (fewer when the class has fewer). Default 3. */
  k?: number;
  /**
   * Softmax temperature on the cosine similarities: scores are softmax(cosine / temperature). Smaller is
   * more decisive. Default in `DEFAULT_MATCH_OPTIONS`.
   */
  temperature?: number;
  /** Best score under this → `unknown`. 0..1. */
  threshold?: number;
  /** Best score minus the second class's under this → `unknown`. 0..1. */
  margin?: number;
  /**
   * The cosine similarity of an implicit "none of these" class taking part in the softmax, so a frame far
   * from every class scores low even when one class is relatively nearest (and a one-class set can answer
   * `unknown` at all). -1..1, or `null` for a plain softmax over the taught classes.
   */
  unknownSimilarity?: number | null;
}

/** One class's result: the calibrated score and the cosine similarity it came from. */
export interface ClassScore {
  label: string;
  /** 0..1; the scores of all classes plus the implicit unknown sum to 1. */
  score: number;
  /** Cosine similarity -1..1 to the class's prototype (or mean of its k nearest examples). */
  similarity: number;
}

/** What `match` answers: the best class or `unknown`, its score, and every class's score. */
export interface MatchResult {
  /** The best class, or `unknown` when the best score is under `threshold` or too close to the second. */
  label: string;
  /** The best class's score, whether or not it was confident enough. */
  score: number;
  /** False when `label` is `unknown`. */
  known: boolean;
  /** Every class, best first. */
  scores: ClassScore[];
}

/**
 * Chosen from measurements on real photos (README, "Teach your own labels"; `node dist/bench/fewshot.js --sweep`):
 * teaching ../shared/images/fewshot with 1, 3 and 5 photos per class, and the ten unrelated photos of
 * ../shared/images for `unknown`, with V1 0.25/224 and V2 1.0/224 uint8. `unknownSimilarity` is the setting that
 * depends on the model most: unrelated photos reach a cosine of 0.68 with V1 0.25's 256 values but only 0.42 with
 * V2's 1280, while held-out photos of a taught class stay above 0.82 and 0.63; 0.6 sits between both.
 */
export const DEFAULT_MATCH_OPTIONS: Readonly<Required<MatchOptions>> = Object.freeze({
  method: 'prototype',
  k: 3,
  temperature: 0.05,
  threshold: 0.5,
  margin: 0.1,
  unknownSimilarity: 0.6,
});

type ResolvedOptions = Required<MatchOptions>;

export function resolveMatchOptions(options: MatchOptions = {}): ResolvedOptions {
  const resolved = { ...DEFAULT_MATCH_OPTIONS, ...withoutUndefined(options) };
  if (!MATCH_METHODS.includes(resolved.method)) {
    throw badOption(`method must be one of ${MATCH_METHODS.join(', ')}, got ${JSON.stringify(resolved.method)}`);
  }
  if (!Number.isInteger(resolved.k) || resolved.k < 1 || resolved.k > 100) {
    throw badOption(`k must be a whole number 1..100, got ${JSON.stringify(resolved.k)}`);
  }
  if (typeof resolved.temperature !== 'number' || !(resolved.temperature >= 0.001 && resolved.temperature <= 10)) {
    throw badOption(`temperature must be 0.001..10, got ${JSON.stringify(resolved.temperature)}`);
  }
  for (const key of ['threshold', 'margin'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw badOption(`${key} must be 0..1, got ${JSON.stringify(value)}`);
    }
  }
  const floor = resolved.unknownSimilarity;
  if (floor !== null && (typeof floor !== 'number' || !(floor >= -1 && floor <= 1))) {
    throw badOption(`unknownSimilarity must be -1..1 or null, got ${JSON.stringify(floor)}`);
  }
  return resolved;
}

/** A class as matching needs it: unit-length example vectors and their (cached) prototype. */
export interface MatchClass {
  label: string;
  examples: readonly Float32Array[];
  prototype(): Float32Array;
}

/** Compares a unit-length `query` with every class and decides between the best class and `unknown`. */
export function matchClasses(
  query: Float32Array,
  classes: readonly MatchClass[],
  options: ResolvedOptions,
): MatchResult {
  if (classes.length === 0) return { label: UNKNOWN_LABEL, score: 0, known: false, scores: [] };
  const similarities = classes.map((c) =>
    options.method === 'prototype' ? dot(query, c.prototype()) : meanOfNearest(query, c.examples, options.k),
  );
  const scores = calibrate(similarities, options.temperature, options.unknownSimilarity).map((score, i) => ({
    label: classes[i].label,
    score,
    similarity: similarities[i],
  }));
  scores.sort((a, b) => b.score - a.score || a.label.localeCompare(b.label));
  const best = scores[0];
  const second = scores.length > 1 ? scores[1].score : 0;
  const known = best.score >= options.threshold && best.score - second >= options.margin;
  return { label: known ? best.label : UNKNOWN_LABEL, score: best.score, known, scores };
}

/** softmax(similarity / T), with an optional fixed "none of these" similarity in the denominator. */
export function calibrate(
  similarities: readonly number[],
  temperature: number,
  unknownSimilarity: number | null,
): number[] {
  const logits = similarities.map((s) => s / temperature);
  const floor = unknownSimilarity === null ? -Infinity : unknownSimilarity / temperature;
  const max = Math.max(floor, ...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((sum, e) => sum + e, 0) + (unknownSimilarity === null ? 0 : Math.exp(floor - max));
  return exps.map((e) => e / total);
}

function meanOfNearest(query: Float32Array, examples: readonly Float32Array[], k: number): number {
  const nearest: number[] = [];
  for (const example of examples) {
    const similarity = dot(query, example);
    if (nearest.length < k) {
      nearest.push(similarity);
      nearest.sort((a, b) => b - a);
    } else if (similarity > nearest[k - 1]) {
      nearest[k - 1] = similarity;
      nearest.sort((a, b) => b - a);
    }
  }
  return nearest.reduce((sum, s) => sum + s, 0) / nearest.length;
}

function withoutUndefined(options: MatchOptions): MatchOptions {
  if (typeof options !== 'object' || options === null) throw badOption('match options must be an object');
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as MatchOptions;
}

function badOption(message: string): LabelSetError {
  return new LabelSetError('bad-option', `Label set match: ${message}`);
}
