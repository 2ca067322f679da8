import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import type { ContainerReport } from './completeness';
import { ImageError } from './errors';
import { toError } from '../to-error';

const inflateAsync = promisify(inflate);

/**
 * Metadata an image may carry, summed over its EXIF, XMP, ICC profile and text chunks, inflated.
 * Phones write a few hundred KiB (XMP, ICC); a few MiB of Google depth-map XMP is the most seen
 * in the wild. 16 MiB leaves room for those and keeps a bomb from costing more than that.
 */
export const DEFAULT_MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** JPEG APPn/COM segments or PNG text/profile chunks per image; real files carry a handful. */
export const MAX_METADATA_SEGMENTS = 1024;
/** deflate's largest possible expansion (a 258-byte match per bit is ~1032:1), with a margin. */
const DEFLATE_MAX_RATIO = 1040;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function tooMuch(format: string, what: string, maxBytes: number): ImageError {
  return new ImageError(
    'TOO_LARGE',
    `${format.toUpperCase()} image refused before decoding: its metadata (text, EXIF, XMP, ICC profile) ${what}. ` +
      `Accepted: at most ${MAX_METADATA_SEGMENTS} metadata segments and ${megabytes(maxBytes)} of metadata in all ` +
      `(maxMetadataBytes). ` +
      'This is a decompression bomb or a broken file: re-save the image without its metadata, or raise ' +
      'maxMetadataBytes if such files are expected.',
  );
}

/**
 * Refuses an image whose metadata would take more than `maxBytes` once read: more than
 * MAX_METADATA_SEGMENTS segments, more stored bytes than the bound, or compressed chunks that
 * inflate past it. A compressed chunk is inflated only when deflate's worst case could exceed the
 * bound, and then at most up to the bound (zlib's maxOutputLength), off the main thread.
 */
export async function checkMetadataBudget(report: ContainerReport, format: string, maxBytes: number): Promise<void> {
  if (report.metadataCount > MAX_METADATA_SEGMENTS) {
    throw tooMuch(format, `is split into ${report.metadataCount} segments`, maxBytes);
  }
  if (report.storedMetadataBytes > maxBytes)
    throw tooMuch(format, `holds ${megabytes(report.storedMetadataBytes)}`, maxBytes);

  const compressedBytes = report.compressed.reduce((sum, stream) => sum + stream.length, 0);
  if (report.storedMetadataBytes + compressedBytes * DEFLATE_MAX_RATIO <= maxBytes) return;

  let remaining = maxBytes - report.storedMetadataBytes;
  for (const stream of report.compressed) {
    if (remaining < 1)
      throw tooMuch(
        format,
        `inflates to more than ${megabytes(maxBytes)} (compressed text or ICC profile chunks)`,
        maxBytes,
      );
    let inflated: Buffer;
    try {
      inflated = await inflateAsync(stream, { maxOutputLength: remaining });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw tooMuch(
          format,
          `inflates to more than ${megabytes(maxBytes)} (compressed text or ICC profile chunks)`,
          maxBytes,
        );
      // A stream zlib cannot read cannot be measured; it could be large, so it is not handed on.
      throw tooMuch(
        format,
        `holds a corrupt compressed chunk that could inflate to more than ${megabytes(maxBytes)} ` +
          `(${toError(error).message})`,
        maxBytes,
      );
    }
    remaining -= inflated.length;
  }
}
