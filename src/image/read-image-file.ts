import { constants, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import { describeValue } from './describe-value';
import { ImageError } from './errors';
import { toError } from '../to-error';

/**
 * Largest image file read, in bytes. A 50-megapixel JPEG (the default maxPixels) is 10–25 MB;
 * anything far larger is a mistake (a video, a disk image) or an attack, and is not read at all.
 */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

export interface ReadImageFileOptions {
  /** Largest file read (default DEFAULT_MAX_FILE_BYTES, 32 MiB); a larger one is refused unread. */
  maxFileBytes?: number;
  /** Refuse a symbolic link as the last path component (for paths already resolved and confined). */
  noFollow?: boolean;
  /** How the file is named in errors (default: the path as given). */
  displayName?: string;
}

/** What a file is for and what is accepted, for the messages of readRegularFile. */
export interface FileKind {
  /** e.g. "image file", "labels file". */
  noun: string;
  /** e.g. "Accepted: a regular file holding a JPEG, PNG… image". */
  accepted: string;
}

const IMAGE_FILE: FileKind = {
  noun: 'image file',
  accepted: 'Accepted: a regular file holding a JPEG, PNG, WebP, GIF, TIFF or AVIF image',
};

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

/** What a file that is not a regular one is, in words ("a named pipe (FIFO)"). */
export function describeFileType(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function openFailure(name: string, error: unknown, kind: FileKind): ImageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: 'does not exist',
    ENOTDIR: 'does not exist (a part of its path is not a folder)',
    EACCES: 'cannot be read: permission denied',
    EPERM: 'cannot be read: permission denied',
    EISDIR: 'is a directory, not a file',
    ENXIO: 'is a socket or a device with nothing behind it, not a regular file',
    ELOOP: 'is a symbolic link, which is not followed here',
  };
  const text = (code && why[code]) ?? `cannot be opened (${toError(error).message})`;
  return new ImageError('INVALID_INPUT', `${kind.noun} "${name}" ${text}. ${kind.accepted}.`, { cause: error });
}

/**
 * Reads an image file with every bound applied before a byte is read: the file is opened without
 * blocking (O_NONBLOCK: opening a named pipe would otherwise wait for a writer, forever, holding a
 * libuv pool thread), the opened descriptor is checked with fstat (what is checked is what is read,
 * no window to swap the file), anything but a regular file is refused (pipes, /dev/zero, sockets,
 * directories), and so is a file over `maxFileBytes`. At most the size fstat reported is read.
 */
export async function readImageFile(file: string, options: ReadImageFileOptions = {}): Promise<Buffer> {
  return readRegularFile(file, options, IMAGE_FILE);
}

/** readImageFile for any kind of file (a labels file...): the same bounds, the kind named in errors. */
export async function readRegularFile(file: string, options: ReadImageFileOptions, kind: FileKind): Promise<Buffer> {
  if (typeof file !== 'string' || file.trim() === '')
    throw new ImageError('INVALID_INPUT', `${kind.noun} path must be a non-empty string, got ${describeValue(file)}`);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (typeof maxFileBytes !== 'number' || !Number.isFinite(maxFileBytes) || maxFileBytes < 1) {
    throw new ImageError(
      'INVALID_INPUT',
      `maxFileBytes must be a positive number of bytes, got ${describeValue(options.maxFileBytes)}`,
    );
  }
  const name = options.displayName ?? file;
  // O_NONBLOCK and O_NOFOLLOW do not exist on Windows, where pipes are not files in a folder anyway.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, flags);
  } catch (error) {
    throw openFailure(name, error, kind);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new ImageError(
        'INVALID_INPUT',
        `"${name}" is ${describeFileType(stat)}, not a regular file; it was not read (a pipe or device may never ` +
          `end). ${kind.accepted}.`,
      );
    }
    if (stat.size > maxFileBytes) {
      throw new ImageError(
        'TOO_LARGE',
        `${kind.noun} "${name}" is ${sizeText(stat.size)}, over the limit of ${sizeText(maxFileBytes)} ` +
          `(maxFileBytes); it was not read. Raise maxFileBytes if such files are expected.`,
      );
    }
    if (stat.size === 0) throw new ImageError('EMPTY', `${kind.noun} "${name}" is empty (0 bytes). ${kind.accepted}.`);
    const buffer = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break; // shrank since fstat: what is there is handed on, and its decoder judges it
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
