import { constants, promises as fsp, type Stats } from 'node:fs';

/** A file a folder source refuses to read: its message says why and what is accepted. */
export class RefusedFile extends Error {}

/** What a non-regular directory entry is, in words. */
export function describeNonRegular(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory (sub-folders are not read)';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 1)} MiB`;
}

/** Refuses anything but a regular file of at most `maxBytes`, from its stat. */
export function checkRegularFile(stat: Stats, maxBytes: number): void {
  if (!stat.isFile()) throw new RefusedFile(`it is ${describeNonRegular(stat)}, not a regular file; only regular image files are read`);
  if (stat.size > maxBytes) throw new RefusedFile(`it is ${mebibytes(stat.size)}, over the ${mebibytes(maxBytes)} limit for one image (maxFrameBytes)`);
}

/**
 * Reads a regular file of at most `maxBytes`, bounded before anything is buffered. The path is
 * checked with stat first (opening a device can have side effects) and the open descriptor again
 * with fstat: O_NONBLOCK keeps a FIFO swapped in between the two from blocking the open.
 * Reads at most the size fstat reported, so a file still growing cannot push past the bound.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  checkRegularFile(await fsp.stat(file), maxBytes);
  const handle = await fsp.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    checkRegularFile(stat, maxBytes);
    const bytes = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < stat.size) {
      const { bytesRead } = await handle.read(bytes, filled, stat.size - filled, filled);
      if (bytesRead === 0) break; // truncated while reading: what is there is checked for completeness
      filled += bytesRead;
    }
    return filled === stat.size ? bytes : bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
