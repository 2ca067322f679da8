import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readImageFile as readBoundedFile } from '../../src';
import type { Translate } from '../shared/translate';

/**
 * A string payload is a file path when it ends in an extension (".jpg"). base64 never contains a
 * dot and data URLs start with "data:", so the three kinds of string cannot be confused.
 */
export function looksLikeFilePath(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const text = value.trim();
  return !/^data:/i.test(text) && /\.[A-Za-z0-9]{1,5}$/.test(text);
}

export class FileInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileInputError';
  }
}

/**
 * Reads an image file only if it lies inside `allowedDir` once both are resolved, symlinks
 * included: "../", absolute paths and links pointing out of the folder are all refused. Only a
 * regular file of at most `maxFileBytes` is read (a named pipe, a device or a directory is refused
 * at once, unread; see src/image/read-image-file).
 */
export async function readImageFile(
  t: Translate,
  requested: string,
  allowedDir: string,
  maxFileBytes?: number,
): Promise<Buffer> {
  if (!allowedDir.trim()) throw new FileInputError(t('errors.no-folder'));
  let root: string;
  try {
    root = await fs.realpath(path.resolve(allowedDir.trim()));
  } catch {
    throw new FileInputError(t('errors.no-such-folder', { folder: allowedDir }));
  }
  const target = path.resolve(root, requested.trim());
  let real: string;
  try {
    real = await fs.realpath(target);
  } catch {
    // Say "outside" before "missing": a missing file outside the folder must not reveal what exists there.
    if (!isInside(root, target)) throw outside(t, requested, root);
    throw new FileInputError(t('errors.no-such-file', { file: requested, folder: root }));
  }
  if (!isInside(root, real)) throw outside(t, requested, root);
  // noFollow: `real` has no links left; one swapped in since realpath is refused, not followed out.
  return readBoundedFile(real, { maxFileBytes, noFollow: true, displayName: requested });
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function outside(t: Translate, requested: string, root: string): FileInputError {
  return new FileInputError(t('errors.outside-folder', { file: requested, folder: root }));
}
