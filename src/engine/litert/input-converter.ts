import { ModelLoadError } from '../../model/errors';
import type { QuantGrid } from '../../model/graph';
import type { Normalization } from '../../model/normalization';
import { type ModelInput, realValues } from '../model-input';

/** Real value → the integer a uint8 input tensor holds for it on `grid`, clamped to the grid's range. */
function quantizer(grid: QuantGrid): (real: number) => number {
  return (real) => Math.min(grid.qmax, Math.max(grid.qmin, Math.round(real / grid.scale) + grid.zeroPoint));
}

/**
 * The 256 integers a frame's pixel values become on a uint8 input: each pixel normalised to float32 (as
 * `normalize` stores it) and quantised, so a frame looked up here equals a frame normalised then quantised.
 */
function pixelTable(normalization: Normalization, quantize: (real: number) => number): Uint8Array {
  const table = new Uint8Array(256);
  for (let pixel = 0; pixel < 256; pixel++) {
    table[pixel] = quantize(Math.fround(pixel * normalization.scale + normalization.offset));
  }
  return table;
}

/** A pass's input → what the model's input tensor takes (uint8 integers on the input's grid, or float32). */
export function inputConverter(
  dtype: string,
  grid: QuantGrid | undefined,
): (input: ModelInput) => Float32Array | Uint8Array {
  if (dtype === 'float32') return realValues;
  if (dtype === 'uint8' && grid) {
    const quantize = quantizer(grid);
    // One frame source has one normalisation: the table is made again only when it changes.
    let table: { normalization: Normalization; values: Uint8Array } | undefined;
    return (input) => {
      const q = new Uint8Array(input instanceof Float32Array ? input.length : input.rgb.length);
      if (input instanceof Float32Array) {
        for (let i = 0; i < q.length; i++) q[i] = quantize(input[i]);
        return q;
      }
      const { normalization, rgb } = input;
      if (table?.normalization.scale !== normalization.scale || table.normalization.offset !== normalization.offset)
        table = { normalization, values: pixelTable(normalization, quantize) };
      const values = table.values;
      for (let i = 0; i < q.length; i++) q[i] = values[rgb[i]];
      return q;
    };
  }
  throw new ModelLoadError(
    `LiteRT.js 2.5 passes only float32, int32 and uint8 tensors into a model; this model's input is ${dtype}`,
  );
}
