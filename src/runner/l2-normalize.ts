/**
 * Scales a vector to unit length in place (cosine similarity is then a dot product). An all-zero
 * vector stays zero: it has no direction, and NaNs would poison every comparison made with it.
 */
export function l2Normalize(values: Float32Array): Float32Array {
  let sum = 0;
  for (const value of values) sum += value * value;
  if (sum === 0) return values;
  const inverse = 1 / Math.sqrt(sum);
  for (let i = 0; i < values.length; i++) values[i] *= inverse;
  return values;
}
