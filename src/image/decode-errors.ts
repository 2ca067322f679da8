import { ImageError } from './errors';
import { toError } from '../to-error';

/** Formats we decode: what cameras and browsers send. SVG, PDF and the like are refused on purpose. */
export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const;
const SUPPORTED_TEXT = 'JPEG, PNG, WebP, GIF, TIFF, AVIF, or raw pixels with width, height and channels';

/** The first line of a libvips message; later lines repeat it. */
function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

export function bmpNotSupported(): ImageError {
  return new ImageError(
    'UNSUPPORTED_FORMAT',
    `BMP images are not supported: sharp (libvips) has no BMP decoder. Convert it to PNG or JPEG first (for example ` +
      `\`ffmpeg -i in.bmp out.png\`). Accepted: ${SUPPORTED_TEXT}.`,
  );
}

export function formatNotSupported(format: string, detail = ''): ImageError {
  return new ImageError(
    'UNSUPPORTED_FORMAT',
    `${format.toUpperCase()} images are not supported${detail}. Accepted: ${SUPPORTED_TEXT}.`,
  );
}

export function tooLarge(width: number, height: number, maxPixels: number): ImageError {
  return new ImageError(
    'TOO_LARGE',
    `image is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels} (maxPixels); it was not ` +
      `decoded. Raise maxPixels if such frames are expected.`,
  );
}

export function truncated(format: string, why: string): ImageError {
  return new ImageError(
    'TRUNCATED',
    `${format.toUpperCase()} image is truncated or corrupt: ${why}. Check that the whole file or frame was received.`,
  );
}

/** The format an encoded image's first bytes claim, to name it in an error when libvips could not read its header. */
export function claimedFormat(bytes: Uint8Array): string | undefined {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(8, 12))) return 'avif';
  return undefined;
}

/** Turns a sharp/libvips failure into an ImageError that names the problem. */
export function fromSharpError(error: unknown, format: string | undefined, maxPixels: number): ImageError {
  if (error instanceof ImageError) return error;
  const text = toError(error).message;
  const line = firstLine(text);
  if (/unsupported image format/i.test(text)) {
    return new ImageError(
      'NOT_AN_IMAGE',
      `data is not an image sharp can decode (${line}). Accepted: ${SUPPORTED_TEXT}.`,
      { cause: error },
    );
  }
  if (/exceeds pixel limit/i.test(text)) {
    return new ImageError(
      'TOO_LARGE',
      `image is over the limit of ${maxPixels} pixels (maxPixels); it was not decoded.`,
      { cause: error },
    );
  }
  if (/Empty JPEG image/i.test(text)) {
    // libjpeg's words for a frame header with a width or height of 0 ("DNL" is a rarely used way to give the height
    // later).
    return new ImageError(
      'TRUNCATED',
      'JPEG header declares a width or height of 0, so there is nothing to decode (the file is damaged, or gives its ' +
        'height in a DNL marker, which libjpeg does not support). Accepted: images whose header gives their real ' +
        'width and height.',
      { cause: error },
    );
  }
  const name = format ? `${format.toUpperCase()} image` : 'image';
  const corruptHeader = /corrupt header:?\s*(.*)$/i.exec(line);
  if (corruptHeader) {
    const detail = corruptHeader[1] ? ` (${corruptHeader[1]})` : '';
    return new ImageError(
      'TRUNCATED',
      `${name} header is truncated or corrupt${detail}: the file is damaged, cut short, or not what its first bytes ` +
        `claim. Check that the whole file or frame was received. Accepted: ${SUPPORTED_TEXT}.`,
      { cause: error },
    );
  }
  if (/compression format has not been built in|no decoder|not supported|unsupported jpeg/i.test(text)) {
    const variant = format ? `this ${format.toUpperCase()} variant` : 'this image variant';
    return new ImageError(
      'UNSUPPORTED_FORMAT',
      `${variant} cannot be decoded by sharp (${line}). Accepted: ${SUPPORTED_TEXT}.`,
      { cause: error },
    );
  }
  // Everything else is a header that parsed followed by pixel data that did not.
  return new ImageError(
    'TRUNCATED',
    `${name} is truncated or corrupt (${line}). Check that the whole file or frame was received.`,
    { cause: error },
  );
}
