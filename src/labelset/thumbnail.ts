import { CROP_JPEG_QUALITY, encodeRgbJpeg } from '../image/encode-jpeg';
import { prepareImage } from '../image/preprocess';
import { isRawImage } from '../image/raw-image';
import type { FitMode, ImageInput, RawImage, Roi } from '../image/types';

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
 * `ImageError`. Pixels that already are that square (a classifier's `keepInput`) are encoded as they are.
 */
export async function makeThumbnail(image: ImageInput, roi?: Roi, options: ThumbnailOptions = {}): Promise<Buffer> {
  const size = options.size ?? 224;
  const quality = options.quality ?? CROP_JPEG_QUALITY;
  // One sharp pass instead of two (a resize to the size they have, then the encode): teaching saves it.
  if (roi === undefined && isSquareRgb(image, size)) return encodeRgbJpeg(image, quality);
  const prepared = await prepareImage(image, { width: size, height: size, fit: options.fit ?? 'cover', roi });
  return encodeRgbJpeg({ data: prepared.rgb, width: prepared.width, height: prepared.height, channels: 3 }, quality);
}

function isSquareRgb(image: ImageInput, size: number): image is RawImage {
  return (
    isRawImage(image) &&
    image.data instanceof Uint8Array &&
    image.channels === 3 &&
    image.width === size &&
    image.height === size &&
    image.data.length === size * size * 3
  );
}
