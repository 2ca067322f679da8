import { describeValue } from './describe-value';
import { ImageError } from './errors';
import type { RawImage } from './types';

/** True for `{data, width, height, channels}`-shaped values (not for encoded byte buffers). */
export function isRawImage(value: unknown): value is RawImage {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && 'data' in value;
}

/** Checks a raw image's geometry against its bytes; throws ImageError naming what is wrong. */
export function checkRawImage(raw: RawImage, maxPixels: number): void {
  if (!(raw.data instanceof Uint8Array)) {
    throw new ImageError('INVALID_INPUT', 'raw image data must be a Buffer or Uint8Array of interleaved 8-bit pixels');
  }
  for (const key of ['width', 'height'] as const) {
    const value: unknown = raw[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new ImageError('INVALID_INPUT', `raw image ${key} must be a positive integer, got ${describeValue(value)}`);
    }
  }
  const channels: unknown = raw.channels;
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > 4) {
    throw new ImageError(
      'INVALID_INPUT',
      `raw image channels must be 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA), got ${describeValue(channels)}`,
    );
  }
  if (raw.data.length === 0) {
    throw new ImageError('EMPTY', 'raw image data is empty');
  }
  if (raw.width * raw.height > maxPixels) {
    throw new ImageError(
      'TOO_LARGE',
      `raw image is ${raw.width}×${raw.height} = ${raw.width * raw.height} pixels, over the limit of ${maxPixels} ` +
        `(maxPixels)`,
    );
  }
  const expected = raw.width * raw.height * raw.channels;
  if (raw.data.length !== expected) {
    throw new ImageError(
      'RAW_SIZE_MISMATCH',
      `raw image data is ${raw.data.length} bytes but ${raw.width}×${raw.height}×${raw.channels} needs ${expected}; ` +
        `check width, height and channels`,
    );
  }
}
