import { ImageError } from './errors';

/**
 * `out[i] = rgb[i] * scale + offset` as float32, e.g. scale 1/127.5, offset -1 for [-1, 1] or
 * 1/255, 0 for [0, 1]. A plain indexed loop: `Float32Array.from(rgb, fn)` calls a closure per
 * element and costs ~20 ms more per frame (DESIGN.md). Pass `out` to reuse one buffer per frame.
 */
export function normalize(rgb: Uint8Array, scale: number, offset: number, out?: Float32Array): Float32Array {
  if (!Number.isFinite(scale) || !Number.isFinite(offset)) {
    throw new ImageError(
      'INVALID_INPUT',
      `normalise scale and offset must be finite numbers, got scale ${scale}, offset ${offset}`,
    );
  }
  const target = out ?? new Float32Array(rgb.length);
  if (target.length !== rgb.length) {
    throw new ImageError(
      'INVALID_INPUT',
      `normalise output holds ${target.length} values but the image has ${rgb.length}`,
    );
  }
  const n = rgb.length;
  for (let i = 0; i < n; i++) {
    target[i] = rgb[i] * scale + offset;
  }
  return target;
}
