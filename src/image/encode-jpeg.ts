import { imageSharp, withDecodeSlot } from './sharp-runtime';
import type { RawImage } from './types';

/** JPEG quality of a stored example crop: about 10–25 KB at 224×224, with no artefact a model notices. */
export const CROP_JPEG_QUALITY = 90;

/**
 * Encodes RGB pixels (e.g. a classifier's input, `keepInput`) as a JPEG in one sharp pass: no decode,
 * no resize. Takes a decode slot like every other sharp pipeline.
 */
export async function encodeRgbJpeg(pixels: RawImage, quality = CROP_JPEG_QUALITY): Promise<Buffer> {
  const { data, width, height } = pixels;
  if (pixels.channels !== 3 || data.length !== width * height * 3) {
    throw new RangeError(`encodeRgbJpeg needs ${width}×${height}×3 RGB bytes, got ${data.length} bytes`);
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return withDecodeSlot(() =>
    imageSharp()(bytes, { raw: { width, height, channels: 3 } })
      .jpeg({ quality, mozjpeg: false })
      .toBuffer(),
  );
}
