import { promises as fsp, type Stats } from 'node:fs';
import { ImageError } from '../image/errors';
import { describeFileType, readRegularFile as readBoundedRegularFile, type FileKind } from '../image/read-image-file';

/** A file a folder source refuses to read: its message says why and what is accepted. */
export class RefusedFile extends Error {}

/** What a non-regular directory entry is, in words. */
export function describeNonRegular(stat: Stats): string {
  return stat.isDirectory() ? 'a directory (sub-folders are not read)' : describeFileType(stat);
}

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MiB`;
}

/** Refuses anything but a regular file of at most `maxBytes`, from its stat. */
export function checkRegularFile(stat: Stats, maxBytes: number): void {
  if (!stat.isFile())
    throw new RefusedFile(`it is ${describeNonRegular(stat)}, not a regular file; only regular image files are read`);
  if (stat.size > maxBytes)
    throw new RefusedFile(
      `it is ${mebibytes(stat.size)}, over the ${mebibytes(maxBytes)} limit for one image (maxFrameBytes)`,
    );
}

/** What a folder source reads, for the messages of the shared bounded reader. */
const FRAME_FILE: FileKind = {
  noun: 'image file',
  accepted: 'Accepted: a regular file holding a JPEG, PNG, WebP, GIF, TIFF or AVIF image',
};

/**
 * Reads a regular file of at most `maxBytes`, bounded before anything is buffered. The path is
 * checked with stat first (opening a device can have side effects), in a folder source's words;
 * the bounded read itself (O_NONBLOCK open, fstat of the open descriptor, at most the size it
 * reported) is the image room's, the one the CLI and the classify node use. An empty file is
 * handed on as it is: the folder source judges it (not yet written, or not an image).
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  const stat = await fsp.stat(file);
  checkRegularFile(stat, maxBytes);
  if (stat.size === 0) return Buffer.alloc(0);
  try {
    return await readBoundedRegularFile(file, { maxFileBytes: maxBytes }, FRAME_FILE);
  } catch (err) {
    // Deleted between the stat and the open: the caller's "gone" case, as from the stat itself.
    if (err instanceof ImageError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
      throw err.cause;
    // Swapped for a pipe or grown past the bound between the stat and the open.
    if (err instanceof ImageError && (err.code === 'INVALID_INPUT' || err.code === 'TOO_LARGE'))
      throw new RefusedFile(err.message);
    throw err;
  }
}
