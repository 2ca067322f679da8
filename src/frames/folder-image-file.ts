import * as path from 'node:path';
import { findTruncation } from '../image/completeness';
import { looksLikeCompleteJpeg } from './jpeg-check';

/** What a folder source classifies, in the words its messages use. */
export const ACCEPTED_IMAGES = 'JPEG (.jpg, .jpeg), PNG, WebP, GIF, TIFF (.tif, .tiff) or AVIF';

/** The formats the classifier decodes, by file name. */
const IMAGE_NAME = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

/**
 * Names of files still being made: dotfiles (rsync, many uploaders), `~` backups and the
 * suffixes browsers, FTP/SCP clients and editors give a file until it is renamed into place.
 */
const IN_PROGRESS_NAME = /^[.~]|\.(part|partial|tmp|temp|crdownload|download|filepart|swp)$/i;

export type NameKind = 'image' | 'in-progress' | 'unsupported';

export function nameKind(name: string): NameKind {
  if (IN_PROGRESS_NAME.test(name)) return 'in-progress';
  return IMAGE_NAME.test(name) ? 'image' : 'unsupported';
}

export function isCandidateImage(name: string): boolean {
  return nameKind(name) === 'image';
}

/** Why a file with this name is not classified (one line, for the source's error path). */
export function unsupportedName(name: string): string {
  const ext = path.extname(name);
  const what = ext === '' ? 'a file without an image extension' : `${ext} files are not a supported image format`;
  return `${what}; a folder source classifies ${ACCEPTED_IMAGES} files`;
}

/** The image format the bytes are, from their signature; undefined when none matches. */
export function sniffImageFormat(b: Uint8Array): string | undefined {
  const ascii = (from: number, to: number): string => Buffer.from(b.subarray(from, to)).toString('latin1');
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'JPEG';
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'PNG';
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'TIFF';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return 'HEIC';
  }
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (/^\s*<(\?xml|svg)/i.test(ascii(0, 64))) return 'SVG';
  return undefined;
}

const SUPPORTED = new Set(['JPEG', 'PNG', 'GIF', 'WebP', 'TIFF', 'AVIF']);

/** The format a name promises, for messages about files whose bytes match none. */
function formatOfName(name: string): string {
  const ext = path.extname(name).slice(1).toLowerCase();
  if (ext === 'jpg' || ext === 'jpeg') return 'JPEG';
  if (ext === 'tif' || ext === 'tiff') return 'TIFF';
  if (ext === 'webp') return 'WebP';
  return ext.toUpperCase();
}

export interface ImageProblem {
  /** Completes the sentence "skipped <file>: ...". */
  message: string;
  /** The file ends too early: it may still be being written. */
  incomplete: boolean;
}

/**
 * Why the bytes of `name` are not (yet) a whole image the classifier accepts, or undefined when
 * they are. Files are read only once they end properly: JPEG EOI, PNG IEND; other formats once
 * non-empty (their decoder refuses a short file with its own message). The format is named from
 * the bytes, not the name: a PNG saved as .jpg is still a PNG.
 */
export function imageProblem(name: string, bytes: Uint8Array): ImageProblem | undefined {
  if (bytes.length === 0) return { message: 'the file is empty', incomplete: true };
  const format = sniffImageFormat(bytes);
  if (format === undefined)
    return {
      message:
        `not a ${formatOfName(name)} image: its first bytes match no image format (accepted: ` + `${ACCEPTED_IMAGES})`,
      incomplete: false,
    };
  if (!SUPPORTED.has(format))
    return {
      message: `it is a ${format} image, which is not supported (accepted: ${ACCEPTED_IMAGES})`,
      incomplete: false,
    };
  if (format === 'JPEG' && !looksLikeCompleteJpeg(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length))) {
    return { message: 'not a complete JPEG (it ends before its end-of-image marker)', incomplete: true };
  }
  if (format === 'PNG') {
    const why = findTruncation(bytes, 'png');
    if (why !== undefined) return { message: `not a complete PNG (${why})`, incomplete: true };
  }
  return undefined;
}
