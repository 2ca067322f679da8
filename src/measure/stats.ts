/** The q-th percentile (0–100) of the values, linearly interpolated between the two nearest ranks. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** Median and 90th percentile: the machines are shared, so never means. */
export interface Spread {
  median: number;
  p90: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: percentile(values, 50), p90: percentile(values, 90) };
}
