import { prepareImage } from '../image/preprocess';
import type { ImageInput, Roi } from '../image/types';

/** A small grey copy of the region of interest, the only thing the motion gate compares. */
export interface GreyFrame {
  /** `size`×`size` luma values, row-major. */
  luma: Uint8Array;
  size: number;
  /** The decoded frame's upright size, for reports. */
  frameWidth: number;
  frameHeight: number;
}

/**
 * Decodes the frame through the image room (same pixel and metadata limits as classification,
 * EXIF orientation, the same ROI crop) and squeezes the region into `size`×`size`. Squashing the
 * aspect does not matter for a difference, and the area-averaging downscale irons out sensor
 * noise and JPEG blocking that would otherwise count as change.
 */
export async function greyFrame(
  image: ImageInput,
  roi: Roi | undefined,
  size: number,
  maxPixels?: number,
): Promise<GreyFrame> {
  const prepared = await prepareImage(image, { width: size, height: size, fit: 'fill', roi, maxPixels });
  const rgb = prepared.rgb;
  const luma = new Uint8Array(size * size);
  for (let i = 0, p = 0; i < luma.length; i += 1, p += 3) {
    // ITU-R BT.601 weights in fixed point (sum 256).
    luma[i] = (77 * rgb[p] + 150 * rgb[p + 1] + 29 * rgb[p + 2]) >> 8;
  }
  return { luma, size, frameWidth: prepared.source.width, frameHeight: prepared.source.height };
}

/** Fraction (0..1) of pixels whose luma differs by more than `pixelThreshold` (0..255). */
export function changedFraction(a: GreyFrame, b: GreyFrame, pixelThreshold: number): number {
  if (a.luma.length !== b.luma.length) return 1;
  let changed = 0;
  for (let i = 0; i < a.luma.length; i += 1) {
    if (Math.abs(a.luma[i] - b.luma[i]) > pixelThreshold) changed += 1;
  }
  return changed / a.luma.length;
}
