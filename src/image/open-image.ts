import type { Sharp } from 'sharp';
import { findTruncation, inspectContainer, sniffContainer } from './completeness';
import {
  bmpNotSupported,
  claimedFormat,
  formatNotSupported,
  fromSharpError,
  SUPPORTED_FORMATS,
  tooLarge,
  truncated,
} from './decode-errors';
import { ImageError } from './errors';
import { checkMetadataBudget } from './metadata-budget';
import type { ResolvedOptions } from './options';
import { checkRawImage } from './raw-image';
import { imageSharp } from './sharp-runtime';
import type { RawImage } from './types';

/** A sharp pipeline positioned on an input, with the input's upright size and format. */
export interface OpenedImage {
  pipeline: Sharp;
  width: number;
  height: number;
  format: string;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function looksLikeBmp(bytes: Uint8Array): boolean {
  // "BM" then a little-endian file size; 14-byte file header + at least a 12-byte DIB header.
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * A GIF whose logical screen is 0 wide or high: libnsgif quietly decodes it as 1 pixel wide or
 * high, and a 1×N sliver would be classified as if it were a picture.
 */
function gifDeclaresNoArea(bytes: Uint8Array): boolean {
  if (bytes.length < 10 || bytes[0] !== 0x47 || bytes[1] !== 0x49 || bytes[2] !== 0x46 || bytes[3] !== 0x38)
    return false;
  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  return width === 0 || height === 0;
}

export function openRaw(raw: RawImage, options: ResolvedOptions): OpenedImage {
  checkRawImage(raw, options.maxPixels);
  const sharp = imageSharp();
  const pipeline = sharp(asBuffer(raw.data), {
    raw: { width: raw.width, height: raw.height, channels: raw.channels as 1 | 2 | 3 | 4 },
    limitInputPixels: options.maxPixels,
  });
  return { pipeline, width: raw.width, height: raw.height, format: 'raw' };
}

export async function openEncoded(bytes: Uint8Array, options: ResolvedOptions): Promise<OpenedImage> {
  if (bytes.length === 0) throw new ImageError('EMPTY', 'image data is empty (0 bytes)');
  if (looksLikeBmp(bytes)) throw bmpNotSupported();
  if (gifDeclaresNoArea(bytes)) {
    throw new ImageError(
      'TRUNCATED',
      'GIF header declares a width or height of 0, so there is nothing to decode (the file is damaged). Accepted: ' +
        'images whose header gives their real width and height.',
    );
  }

  // Before libvips sees the bytes: reading the header already inflates PNG text chunks.
  const container = sniffContainer(bytes);
  const report = inspectContainer(bytes, container ?? 'other');
  if (container !== undefined) await checkMetadataBudget(report, container, options.maxMetadataBytes);

  const sharp = imageSharp();
  const pipeline = sharp(asBuffer(bytes), {
    // 'truncated' rather than the stricter 'warning', so frames with recoverable libjpeg warnings
    // (extraneous bytes before a marker) still classify. Truncation is also caught by
    // findTruncation; scrambled entropy-coded data is not caught at any level (measured).
    failOn: 'truncated',
    // Checked from the header, before any pixel is decoded: a decompression bomb stops here.
    limitInputPixels: options.maxPixels,
    autoOrient: true,
    ignoreIcc: !options.applyIccProfile,
  });

  let metadata: Awaited<ReturnType<Sharp['metadata']>>;
  try {
    metadata = await pipeline.metadata();
  } catch (error) {
    const refused = fromSharpError(error, container ?? claimedFormat(bytes), options.maxPixels);
    if (refused.code === 'TOO_LARGE') throw await withClaimedSize(bytes, options.maxPixels, refused);
    // A header cut short is reported as the cut, not as whatever libvips made of the stub.
    if (report.truncation !== undefined && container !== undefined) throw truncated(container, report.truncation);
    throw refused;
  }

  const format = metadata.format === 'heif' ? heifFormat(metadata.compression) : String(metadata.format);
  if (format === 'heic')
    throw formatNotSupported(format, ": sharp's prebuilt libvips reads AVIF but has no HEVC decoder");
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) throw formatNotSupported(format);

  const width = metadata.width;
  const height = metadata.height;
  // Belt and braces: sharp enforces limitInputPixels too, but say it in our own words.
  if (width * height > options.maxPixels) throw tooLarge(width, height, options.maxPixels);

  const why = format === container ? report.truncation : findTruncation(bytes, format);
  if (why !== undefined) throw truncated(format, why);

  const upright = metadata.autoOrient ?? { width, height };
  return { pipeline, width: upright.width, height: upright.height, format };
}

/** sharp refuses an over-limit header without saying its size; read the header alone to say it. */
async function withClaimedSize(bytes: Uint8Array, maxPixels: number, refused: ImageError): Promise<ImageError> {
  try {
    const { width, height } = await imageSharp()(asBuffer(bytes), { limitInputPixels: false }).metadata();
    return tooLarge(width, height, maxPixels);
  } catch {
    return refused;
  }
}

function heifFormat(compression: string | undefined): string {
  if (compression === 'av1') return 'avif';
  return compression === 'hevc' ? 'heic' : 'heif';
}
