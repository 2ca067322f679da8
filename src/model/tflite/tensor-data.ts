import { TfliteFormatError, TfliteUnsupportedError } from './errors';
import { TensorType, tensorTypeName } from './schema-enums';

/**
 * Decoding a constant tensor's raw little-endian bytes into numbers, and dequantising them.
 * Buffers are 16-byte aligned inside the file but not necessarily inside the JS ArrayBuffer,
 * so values are read through a DataView rather than a typed-array view.
 */

const BYTES_PER_ELEMENT: Record<number, number> = {
  [TensorType.FLOAT32]: 4,
  [TensorType.FLOAT16]: 2,
  [TensorType.INT32]: 4,
  [TensorType.UINT8]: 1,
  [TensorType.INT64]: 8,
  [TensorType.INT16]: 2,
  [TensorType.INT8]: 1,
};

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Throws unless `data` holds exactly `shape`'s elements of a type rawValues reads. */
export function checkRawValues(data: Uint8Array, type: number, shape: number[], what: string): void {
  const size = BYTES_PER_ELEMENT[type];
  if (size === undefined) {
    throw new TfliteUnsupportedError(
      `${what}: constant data of type ${tensorTypeName(type)} is not supported (valid: FLOAT32, FLOAT16, INT32, ` +
        `INT64, INT16, UINT8, INT8)`,
    );
  }
  const count = elementCount(shape);
  if (data.length !== count * size) {
    throw new TfliteFormatError(
      `${what}: shape [${shape.join(', ')}] needs ${count * size} bytes of ${tensorTypeName(type)}, the buffer holds ` +
        `${data.length}`,
    );
  }
}

/** The stored values, unscaled (integers stay integers), checked against the shape. */
export function rawValues(data: Uint8Array, type: number, shape: number[], what: string): Float64Array {
  checkRawValues(data, type, shape, what);
  const count = elementCount(shape);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case TensorType.FLOAT32:
        out[i] = dv.getFloat32(4 * i, true);
        break;
      case TensorType.FLOAT16:
        out[i] = float16ToFloat32(dv.getUint16(2 * i, true));
        break;
      case TensorType.INT32:
        out[i] = dv.getInt32(4 * i, true);
        break;
      case TensorType.UINT8:
        out[i] = dv.getUint8(i);
        break;
      case TensorType.INT64:
        out[i] = Number(dv.getBigInt64(8 * i, true));
        break;
      case TensorType.INT16:
        out[i] = dv.getInt16(2 * i, true);
        break;
      case TensorType.INT8:
        out[i] = dv.getInt8(i);
        break;
    }
  }
  return out;
}

/** An affine grid per tensor (one scale) or per channel along `dimension`. */
export interface Affine {
  scales: number[];
  zeroPoints: number[];
  dimension: number;
}

/** real = (q - zeroPoint[c]) * scale[c], c the index along the quantised dimension. */
export function dequantize(values: Float64Array, shape: number[], affine: Affine, what: string): Float32Array {
  const out = new Float32Array(values.length);
  checkAffine(shape, affine, what);
  const { scales, zeroPoints, dimension } = affine;
  if (scales.length === 1) {
    const zp = zeroPoints[0] ?? 0;
    for (let i = 0; i < values.length; i++) out[i] = (values[i] - zp) * scales[0];
    return out;
  }
  const channels = shape[dimension];
  const inner = elementCount(shape.slice(dimension + 1));
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (values[i] - (zeroPoints[c] ?? 0)) * scales[c];
  }
  return out;
}

/** Throws unless per-channel scales match the channels of their dimension. */
export function checkAffine(shape: number[], affine: Affine, what: string): void {
  const { scales, dimension } = affine;
  if (scales.length !== 1 && shape[dimension] !== scales.length) {
    throw new TfliteFormatError(
      `${what}: ${scales.length} per-channel scales for dimension ${dimension} of shape [${shape.join(', ')}]`,
    );
  }
}
