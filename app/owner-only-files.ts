import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Read and write for the service's user only: files that hold secrets. */
export const OWNER_ONLY_FILE = 0o600;
/** The userDir: flows, credentials, the secret and Node-RED's sessions live in it. */
export const OWNER_ONLY_DIR = 0o700;

function temporaryBeside(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`,
  );
}

/** Creates `file`'s content in a new temporary file that has mode 0600 from its first byte. */
function writeTemporary(file: string, content: string): string {
  const temporary = temporaryBeside(file);
  // 'wx': O_CREAT|O_EXCL, so the mode is set when the file is created (never a chmod afterwards),
  // and a file or link an attacker placed under that name is never written through.
  const fd = fs.openSync(temporary, 'wx', OWNER_ONLY_FILE);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return temporary;
}

/** Replaces `file` atomically with `content`, mode 0600: a reader sees the old or the new file whole. */
export function replaceOwnerOnly(file: string, content: string): void {
  const temporary = writeTemporary(file, content);
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates `file` with `content`, mode 0600, only if it does not exist yet: returns false when it
 * does (another start won the race; read that one). The content appears whole or not at all.
 */
export function createOwnerOnly(file: string, content: string): boolean {
  const temporary = writeTemporary(file, content);
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Takes group and other permissions away from an existing file or directory. A symbolic link is
 * left alone: a chmod would go through it to whatever it points at.
 */
export function keepToOwner(file: string, mode: number): void {
  try {
    const stats = fs.lstatSync(file);
    if (!stats.isSymbolicLink() && (stats.mode & 0o077) !== 0) fs.chmodSync(file, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
