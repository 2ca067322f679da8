import { normalize } from '../../image/normalize';
import { ModelLoadError } from '../../model/errors';
import type { QuantGrid } from '../../model/graph';
import type { Normalization } from '../../model/normalization';
import { type ModelInput, type PixelFrame, realValues } from '../model-input';

/** Every 8-bit pixel value once, to normalise into a table. */
const PIXEL_VALUES = Uint8Array.from({ length: 256 }, (_, value) => value);

/**
 * Real value → the integer a uint8 input tensor holds for it on `grid`. Clamped to the grid explicitly: a
 * Uint8Array store would wrap, not clamp (only Uint8ClampedArray clamps, and only to 0..255).
 */
function quantizer(grid: QuantGrid): (real: number) => number {
  return (real) => Math.min(grid.qmax, Math.max(grid.qmin, Math.round(real / grid.scale) + grid.zeroPoint));
}

/**
 * The 256 integers a frame's pixel values become on a uint8 input, through `normalize` itself (its float32 values,
 * not doubles), so a frame looked up here equals the same frame normalised then quantised.
 */
function pixelTable(normalization: Normalization, quantize: (real: number) => number): Uint8Array {
  return Uint8Array.from(normalize(PIXEL_VALUES, normalization.scale, normalization.offset), quantize);
}

/** A uint8 input: real values quantised one by one; a frame's pixels looked up in a table per normalisation. */
function uint8Converter(grid: QuantGrid): (input: ModelInput) => Uint8Array {
  const quantize = quantizer(grid);
  // One frame source has one normalisation: the table is made again only when it changes.
  let table: { normalization: Normalization; values: Uint8Array } | undefined;
  const lookUp = ({ rgb, normalization }: PixelFrame): Uint8Array => {
    if (table?.normalization.scale !== normalization.scale || table.normalization.offset !== normalization.offset)
      table = { normalization, values: pixelTable(normalization, quantize) };
    const values = table.values;
    const q = new Uint8Array(rgb.length);
    for (let i = 0; i < q.length; i++) q[i] = values[rgb[i]];
    return q;
  };
  // A plain loop: `TypedArray.from(values, fn)` calls back per element and is ~100× slower (the warm-up pass uses it).
  const quantizeAll = (reals: Float32Array): Uint8Array => {
    const q = new Uint8Array(reals.length);
    for (let i = 0; i < q.length; i++) q[i] = quantize(reals[i]);
    return q;
  };
  return (input) => (input instanceof Float32Array ? quantizeAll(input) : lookUp(input));
}

/** A pass's input → what the model's input tensor takes (uint8 integers on the input's grid, or float32). */
export function inputConverter(
  dtype: string,
  grid: QuantGrid | undefined,
): (input: ModelInput) => Float32Array | Uint8Array {
  if (dtype === 'float32') return realValues;
  if (dtype === 'uint8' && grid) return uint8Converter(grid);
  throw new ModelLoadError(
    `LiteRT.js 2.5 passes only float32, int32 and uint8 tensors into a model; this model's input is ${dtype}`,
  );
}
