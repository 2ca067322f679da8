import { DEFAULT_MAX_PIXELS } from '../image/options';
import { isRawImage } from '../image/raw-image';
import { imageSharp, withDecodeSlot } from '../image/sharp-runtime';
import type { ImageInput } from '../image/types';

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The frame as a JPEG, for the review queue and the MQTT image topic: a camera's JPEG is kept as
 * it came (no second encode, no loss); a PNG, WebP or raw frame is encoded once. Called only on
 * frames the image room already decoded within its limits.
 */
export async function frameJpeg(image: ImageInput, maxPixels = DEFAULT_MAX_PIXELS): Promise<Buffer> {
  if (image instanceof Uint8Array && isJpeg(image)) return asBuffer(image);
  const sharp = imageSharp();
  const pipeline = isRawImage(image)
    ? sharp(asBuffer(image.data), {
        raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 },
        limitInputPixels: maxPixels,
      })
    : sharp(asBuffer(image as Uint8Array), { limitInputPixels: maxPixels, autoOrient: true });
  return withDecodeSlot(() => pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer());
}
