import type { QuantGrid, WeightTensor } from '../graph';
import { TfliteFormatError, TfliteUnsupportedError } from './errors';
import type { Buffer, Tensor } from './model-tables';
import { TensorType, tensorTypeName } from './schema-enums';
import { lazyWeight, once } from './lazy-weight';
import { type Affine, checkAffine, checkRawValues, dequantize, rawValues } from './tensor-data';

/** Integer ranges of the quantised activation types. */
const GRID_RANGES: Record<number, [number, number]> = {
  [TensorType.UINT8]: [0, 255],
  [TensorType.INT8]: [-128, 127],
  [TensorType.INT16]: [-32768, 32767],
};

/**
 * The subgraph's tensors as the translators see them: graph names, shapes, quantisation grids,
 * and the real values of constant tensors (weights, biases, shape operands).
 */
export class TensorTable {
  private readonly tensors: Tensor[];
  private readonly buffers: Buffer[];
  /** Constants computed at import time (a DEQUANTIZE of a constant folds into its output), decoded when read. */
  private readonly folded = new Map<number, () => Float32Array>();

  constructor(tensors: Tensor[], buffers: Buffer[]) {
    this.tensors = tensors;
    this.buffers = buffers;
  }

  get count(): number {
    return this.tensors.length;
  }

  tensor(index: number, what: string): Tensor {
    const tensor = this.tensors[index];
    if (!tensor)
      throw new TfliteFormatError(`${what} names tensor ${index}, but the subgraph has ${this.tensors.length} tensors`);
    return tensor;
  }

  /** The name a tensor gets in the ModelGraph: unique even when TFLite names repeat. */
  graphName(index: number): string {
    return `t${index}`;
  }

  shape(index: number): number[] {
    return this.tensor(index, 'A tensor lookup').shape();
  }

  type(index: number): number {
    return this.tensor(index, 'A tensor lookup').type();
  }

  describe(index: number): string {
    const tensor = this.tensor(index, 'A tensor lookup');
    return `tensor ${index} "${tensor.name()}"`;
  }

  /** Scale(s), zero point(s) and quantised dimension, or undefined for a float tensor. */
  affine(index: number): Affine | undefined {
    const q = this.tensor(index, 'A tensor lookup').quantization();
    if (!q) return undefined;
    const scales = q.scale();
    if (scales.length === 0) return undefined;
    if (q.detailsType() !== 0) {
      throw new TfliteUnsupportedError(
        `${this.describe(index)} uses custom quantisation details, which are not supported (valid: scale/zero_point)`,
      );
    }
    const zeroPoints = q.zeroPoint();
    return {
      scales,
      zeroPoints: zeroPoints.length > 0 ? zeroPoints : scales.map(() => 0),
      dimension: q.quantizedDimension(),
    };
  }

  /** The integer grid of a quantised activation tensor (uint8, int8, int16), else undefined. */
  grid(index: number): QuantGrid | undefined {
    const range = GRID_RANGES[this.type(index)];
    const affine = this.affine(index);
    if (!range || !affine) return undefined;
    if (affine.scales.length !== 1) {
      throw new TfliteUnsupportedError(
        `${this.describe(index)} is an activation quantised per channel, which TFLite does not define`,
      );
    }
    return { scale: affine.scales[0], zeroPoint: affine.zeroPoints[0], qmin: range[0], qmax: range[1] };
  }

  private data(index: number): Uint8Array | undefined {
    const bufferIndex = this.tensor(index, 'A tensor lookup').buffer();
    if (bufferIndex === 0) return undefined;
    const buffer = this.buffers[bufferIndex];
    if (!buffer)
      throw new TfliteFormatError(
        `${this.describe(index)} names buffer ${bufferIndex}, but the model has ${this.buffers.length} buffers`,
      );
    return buffer.data();
  }

  isConstant(index: number): boolean {
    return this.folded.has(index) || this.data(index) !== undefined;
  }

  /** True for a stored constant of integer type (quantised weights), false for floats and folded values. */
  isInteger(index: number): boolean {
    const type = this.type(index);
    return (
      !this.folded.has(index) && (type === TensorType.UINT8 || type === TensorType.INT8 || type === TensorType.INT16)
    );
  }

  fold(index: number, values: () => Float32Array): void {
    this.folded.set(index, once(values));
  }

  /** A constant's stored numbers without any scaling: shape, axis and padding operands. */
  integers(index: number): number[] {
    const data = this.data(index);
    if (!data)
      throw new TfliteUnsupportedError(`${this.describe(index)} must be a constant, but it is computed at run time`);
    return Array.from(rawValues(data, this.type(index), this.shape(index), this.describe(index)));
  }

  /**
   * A constant's real values, checked now and decoded when the function returned is called (lazy-weight.ts): a file
   * that cannot be read fails at import, and an engine that never reads the values never pays for decoding them.
   * Quantised data is dequantised with its own grid (or with `overrideScales`, the input×weight scales of an int32
   * bias); float data is as stored.
   */
  deferredValues(index: number, overrideScales?: number[]): () => Float32Array {
    const folded = this.folded.get(index);
    if (folded) return folded;
    const data = this.data(index);
    const what = this.describe(index);
    if (!data) throw new TfliteUnsupportedError(`${what} must be a constant, but it is computed at run time`);
    const type = this.type(index);
    const shape = this.shape(index);
    checkRawValues(data, type, shape, what);
    if (type === TensorType.FLOAT32 || type === TensorType.FLOAT16) {
      return () => Float32Array.from(rawValues(data, type, shape, what));
    }
    const affine: Affine | undefined = overrideScales
      ? {
          scales: overrideScales,
          zeroPoints: overrideScales.map(() => 0),
          dimension: overrideScales.length > 1 ? shape.length - 1 : 0,
        }
      : this.affine(index);
    if (!affine) {
      throw new TfliteUnsupportedError(
        `${what} holds ${tensorTypeName(type)} weights without a scale, so their real values are unknown`,
      );
    }
    checkAffine(shape, affine, what);
    return () => dequantize(rawValues(data, type, shape, what), shape, affine, what);
  }

  weight(index: number): WeightTensor {
    return lazyWeight(this.shape(index), this.deferredValues(index));
  }
}
