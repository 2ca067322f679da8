import { fromSharpError } from './decode-errors';
import { describeValue } from './describe-value';
import { ImageError } from './errors';
import { openEncoded, openRaw, type OpenedImage } from './open-image';
import { resolveOptions, type ResolvedOptions } from './options';
import { isRawImage } from './raw-image';
import { resolveRoi } from './roi';
import { withDecodeSlot } from './sharp-runtime';
import type { ImageInput, PreparedImage, PreprocessOptions } from './types';

const BLACK = { r: 0, g: 0, b: 0, alpha: 1 };
const WHITE = { r: 255, g: 255, b: 255 };

/**
 * Decodes an image (or takes raw pixels), orients it upright from EXIF, crops the region of
 * interest, fits it to width×height and returns interleaved 8-bit RGB. Every failure is an
 * ImageError; nothing is decoded before the header has been checked against maxPixels.
 */
export async function prepareImage(input: ImageInput, options: PreprocessOptions): Promise<PreparedImage> {
  const resolved = resolveOptions(options);
  return withDecodeSlot(async () => {
    const opened = await open(input, resolved);
    return render(opened, resolved);
  });
}

async function open(input: ImageInput, options: ResolvedOptions): Promise<OpenedImage> {
  if (input instanceof Uint8Array) return openEncoded(input, options);
  if (isRawImage(input)) return openRaw(input, options);
  const hint =
    typeof input === 'string'
      ? ' (read a file first with image.readImageFile(path); turn base64 or a data URL into bytes with ' +
        'image.toImageInput)'
      : '';
  throw new ImageError(
    'INVALID_INPUT',
    `image must be a Buffer/Uint8Array of encoded bytes or a raw image {data, width, height, channels}, got ` +
      `${describeValue(input)}${hint}`,
  );
}

async function render(opened: OpenedImage, options: ResolvedOptions): Promise<PreparedImage> {
  let pipeline = opened.pipeline;
  if (options.roi !== undefined) {
    pipeline = pipeline.extract(resolveRoi(options.roi, opened.width, opened.height));
  }
  pipeline = pipeline
    .resize(options.width, options.height, {
      fit: options.fit,
      position: 'centre',
      kernel: options.kernel,
      background: BLACK,
      // JPEG shrink-on-load (DCT scaling) is a box filter that drifts from the bilinear resize
      // the models' reference inputs were made with, for ~no gain at camera frame sizes.
      fastShrinkOnLoad: false,
    })
    // Transparent pixels become white, as image viewers and browsers show them; cut-out objects
    // then look like the white-background product shots common in ImageNet, and a dark object on
    // a transparent background does not vanish into black.
    .flatten({ background: options.alphaBackground === 'white' ? WHITE : BLACK })
    .toColourspace('srgb')
    .removeAlpha()
    .raw();

  let result: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    result = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw fromSharpError(error, opened.format, options.maxPixels);
  }
  const { data, info } = result;
  if (info.channels !== 3 || info.width !== options.width || info.height !== options.height) {
    throw new Error(
      `internal: sharp returned ${info.width}×${info.height}×${info.channels}, expected ` +
        `${options.width}×${options.height}×3`,
    );
  }
  return {
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    source: { width: opened.width, height: opened.height, format: opened.format },
  };
}
