/*
 * TFLite's int8 quantisation scheme (tensorflow.org/lite/performance/quantization_spec): activations
 * int8 asymmetric per tensor with 0 exactly representable; weights int8 symmetric (zero point 0,
 * values in [-127, 127]) per output channel; biases int32 with scale input scale × weight scale.
 */

/** The real range a tensor took over the calibration images. */
export interface TensorRange {
  min: number;
  max: number;
}

/** An int8 activation grid: real = (q - zeroPoint) * scale, q in [-128, 127]. */
export interface Int8Grid {
  scale: number;
  zeroPoint: number;
}

/** Below this a range is treated as a constant tensor: any positive scale represents it. */
const SMALLEST_SPAN = 1e-6;

/** The asymmetric int8 grid covering `range` widened to include 0, with 0 landing on an integer. */
export function activationGrid(range: TensorRange): Int8Grid {
  const min = Math.min(range.min, 0);
  const max = Math.max(range.max, 0);
  const scale = Math.max(max - min, SMALLEST_SPAN) / 255;
  const zeroPoint = Math.min(127, Math.max(-128, Math.round(-128 - min / scale)));
  return { scale, zeroPoint };
}

/**
 * Clipping limits tried per channel, as fractions of its largest |weight|: the one with the least
 * squared error (rounding plus clipping) wins, so one outlier does not coarsen a whole channel.
 */
const CLIP_FRACTIONS = Array.from({ length: 16 }, (_, i) => 1 - 0.03 * i);

/** Symmetric int8 values and one scale per slice along `axis`; `minScales` bounds each scale from below. */
export function symmetricPerChannel(
  values: Float32Array,
  shape: number[],
  axis: number,
  minScales?: Float64Array,
): { q: Int8Array; scales: number[] } {
  const channels = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const members: number[][] = Array.from({ length: channels }, () => []);
  for (let i = 0; i < values.length; i++) members[Math.floor(i / inner) % channels].push(i);
  const q = new Int8Array(values.length);
  const scales = members.map((indices, c) => {
    let maxAbs = 0;
    for (const i of indices) maxAbs = Math.max(maxAbs, Math.abs(values[i]));
    const floor = minScales?.[c] ?? 0;
    // An all-zero channel gets scale 1: its integers are 0 whatever the scale.
    if (maxAbs === 0 && floor === 0) return 1;
    let best = { scale: 0, error: Infinity };
    for (const fraction of CLIP_FRACTIONS) {
      const scale = Math.max((maxAbs * fraction) / 127, floor);
      let error = 0;
      for (const i of indices) {
        const level = Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
        error += (level * scale - values[i]) ** 2;
      }
      if (error < best.error) best = { scale, error };
    }
    for (const i of indices) q[i] = Math.max(-127, Math.min(127, Math.round(values[i] / best.scale)));
    return best.scale;
  });
  return { q, scales };
}

/** The largest |int32| a bias is given, kept well inside int32 so accumulations have headroom. */
export const BIAS_LIMIT = 2 ** 30;

/** int32 biases on the grid inputScale × weightScales[c]. */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: number[]): Int32Array {
  const q = new Int32Array(values.length);
  for (let c = 0; c < values.length; c++) {
    const scale = inputScale * weightScales[weightScales.length === 1 ? 0 : c];
    q[c] = Math.max(-BIAS_LIMIT, Math.min(BIAS_LIMIT, Math.round(values[c] / scale)));
  }
  return q;
}

/** The per-channel weight scales a bias needs so that it fits within BIAS_LIMIT. */
export function biasScaleFloor(bias: Float32Array, inputScale: number): Float64Array {
  return Float64Array.from(bias, (b) => Math.abs(b) / (inputScale * BIAS_LIMIT));
}
