import { LabelSetError } from './errors';
import { LABELSET_LIMITS } from './limits';

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** Refuses anything but JPEG bytes within the thumbnail size limit; returns them as a Buffer. */
export function checkThumbnail(value: unknown, what: string): Buffer {
  if (!(value instanceof Uint8Array)) throw new LabelSetError('bad-thumbnail', `${what} must be JPEG bytes (a Buffer)`);
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes.length < 4 || JPEG_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new LabelSetError('bad-thumbnail', `${what} is not a JPEG (make one with makeThumbnail)`);
  }
  if (bytes.length > LABELSET_LIMITS.maxThumbnailBytes) {
    throw new LabelSetError(
      'bad-thumbnail',
      `${what} is ${bytes.length} bytes, more than ${LABELSET_LIMITS.maxThumbnailBytes}: ` +
        'store a small crop (makeThumbnail)',
    );
  }
  return bytes;
}
