/**
 * Channel counts for a width multiplier, rounded exactly as the reference Keras implementations
 * do, so a network built here has the shapes of the official weights.
 */

/**
 * MobileNet V1 (Keras `mobilenet.py`): `int(filters * alpha)`, a plain truncation. Keras would
 * build a zero-channel layer for α < 1/32; we keep at least one channel so every α in (0, 1.4]
 * gives a valid network (identical to Keras wherever Keras works).
 */
export function v1Channels(filters: number, alpha: number): number {
  return Math.max(1, Math.trunc(filters * alpha));
}

/**
 * Keras `mobilenet_v2.py` `_make_divisible(v, divisor)`: nearest multiple of `divisor`, at least
 * `divisor`, and never more than 10% below `v` (hardware prefers channel counts in multiples of 8).
 */
export function makeDivisible(value: number, divisor = 8, minValue = divisor): number {
  // Python's int(v + d/2) // d * d; v is positive so floor and trunc agree.
  let rounded = Math.max(minValue, Math.floor(Math.trunc(value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}
