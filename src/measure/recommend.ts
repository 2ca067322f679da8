/** At most this share of every frame interval busy, so bursts and the rest of the board have room. */
export const MAX_BUSY = 0.7;

/** One model on one engine and precision, as `tune` weighs it. */
export interface Candidate {
  /** e.g. "v1 0.5/160" or a model path's name. */
  name: string;
  engine: string;
  precision: string;
  /** One 640×480 JPEG → labels, median ms, measured here. */
  latencyMs: number;
  /** Percent: published ImageNet top-1, or the accuracy on the user's frames. */
  accuracy: number;
  accuracySource: 'published ImageNet top-1' | 'your frames';
  /** What to load it as (catalog name, path), when it has weights here. */
  model?: string;
}

export interface Weighed extends Candidate {
  /** Share of each frame interval spent on the frame (latency × fps). */
  busy: number;
  fits: boolean;
}

export interface Recommendation {
  budgetMs: number;
  fps: number;
  /** Every candidate, most accurate first (then fastest). */
  rows: Weighed[];
  chosen?: Weighed;
}

/**
 * The most accurate candidate whose frame fits the budget and leaves headroom: latency ≤ budget and
 * latency × fps ≤ 70% of each second. Without a frame rate the budget is the frame interval
 * (fps = 1000 / budget), so the latency must stay within 70% of it. Latency is the whole frame
 * (decode + inference): on a small board both stages take CPU, even when they overlap.
 */
export function recommend(candidates: readonly Candidate[], budgetMs: number, fps?: number): Recommendation {
  const rate = fps ?? 1000 / budgetMs;
  const rows = candidates
    .map((candidate) => {
      const busy = (candidate.latencyMs * rate) / 1000;
      return { ...candidate, busy, fits: candidate.latencyMs <= budgetMs && busy <= MAX_BUSY };
    })
    .sort((a, b) => b.accuracy - a.accuracy || a.latencyMs - b.latencyMs);
  return { budgetMs, fps: rate, rows, chosen: rows.find((row) => row.fits) };
}
