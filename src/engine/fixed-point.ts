/**
 * TFLite's integer output stage for conv, depthwise and fully-connected ops, reproduced so that a
 * quantised model rounds where the interpreter rounds. The interpreter rescales the int32
 * accumulator by a 31-bit fixed-point multiplier in two roundings: a doubling high multiply
 * (round half up) to 2^-shift resolution, then a rounding right shift (half away from zero).
 * A single real-valued rounding differs whenever the first rounding lands on the second's tie,
 * which happens for about one value in 2^(shift+1) and is enough to move 1001 logits.
 */

/** frexp for positive finite numbers: value = fraction × 2^exponent with fraction in [0.5, 1). */
function frexp(value: number): [number, number] {
  let exponent = Math.ceil(Math.log2(value));
  let fraction = value / 2 ** exponent;
  // log2 can be off by one ulp near powers of two; nudge into [0.5, 1).
  if (fraction >= 1) { fraction /= 2; exponent += 1; }
  if (fraction < 0.5) { fraction *= 2; exponent -= 1; }
  return [fraction, exponent];
}

/** TFLite's QuantizeMultiplier: the int32 significand and the power-of-two exponent of `multiplier`. */
export function quantizeMultiplier(multiplier: number): { significand: number; exponent: number } {
  if (multiplier <= 0 || !Number.isFinite(multiplier)) return { significand: 0, exponent: 0 };
  let [fraction, exponent] = frexp(multiplier);
  let significand = Math.round(fraction * 2 ** 31);
  if (significand === 2 ** 31) { significand /= 2; exponent += 1; }
  if (exponent < -31) return { significand: 0, exponent: 0 };
  return { significand, exponent };
}

/**
 * Per output channel, the two factors of the output stage in float form:
 * `first` (significand / 2^31 × 2^leftShift, applied before the first rounding) and
 * `second` (2^-rightShift, applied before the second).
 */
export function outputStageFactors(inputScale: number, weightScales: number[], outputScale: number, channels: number): { first: Float32Array; second: Float32Array } {
  const first = new Float32Array(channels);
  const second = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const weightScale = weightScales.length === 1 ? weightScales[0] : weightScales[c];
    const { significand, exponent } = quantizeMultiplier((inputScale * weightScale) / outputScale);
    const leftShift = Math.max(exponent, 0);
    first[c] = (significand / 2 ** 31) * 2 ** leftShift;
    second[c] = 2 ** Math.min(exponent, 0);
  }
  return { first, second };
}
