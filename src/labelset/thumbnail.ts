import { prepareImage } from '../image/preprocess';
import { imageSharp, withDecodeSlot } from '../image/sharp-runtime';
import type { FitMode, ImageInput, Roi } from '../image/types';

/** The stored crop of an example: its size, fit and JPEG quality. */
export interface ThumbnailOptions {
  /** Side of the square thumbnail in pixels; default 224, a MobileNet input, so `reembed` sees what the model saw. */
  size?: number;
  /** How the frame (or ROI) is fitted into the square; default `cover`, as the classifier does. */
  fit?: FitMode;
  /** JPEG quality 1..100; default 90 (about 10–25 KB at 224×224). */
  quality?: number;
}

/**
 * The crop an example is stored with: the region of interest of `image` (pixels or fractions, as for
 * classify), fitted into a small square exactly as the classifier fits its input, as a JPEG. Decoding goes
 * through the image room, so every image refused for classification is refused here with the same
 * `ImageError`.
 */
export async function makeThumbnail(image: ImageInput, roi?: Roi, options: ThumbnailOptions = {}): Promise<Buffer> {
  const size = options.size ?? 224;
  const prepared = await prepareImage(image, { width: size, height: size, fit: options.fit ?? 'cover', roi });
  return withDecodeSlot(() =>
    imageSharp()(Buffer.from(prepared.rgb.buffer, prepared.rgb.byteOffset, prepared.rgb.byteLength), {
      raw: { width: prepared.width, height: prepared.height, channels: 3 },
    })
      .jpeg({ quality: options.quality ?? 90, mozjpeg: false })
      .toBuffer(),
  );
}
