import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import * as path from 'node:path';

const TEMP_SUFFIX = '.tmp';

/**
 * Writes `data` to `file` so that a reader (or a restart after a crash or power cut) sees either the old
 * file or the new one, never a mix: write a temp file beside it, fsync it, rename it over the target, then
 * fsync the folder so the rename itself is on disk.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempNameFor(file);
  const handle = await open(temp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(path.dirname(file));
}

/**
 * Creates `file` (which must not exist) holding `data`, durably, with one fsync on the way: the file's data and
 * its folder entry are fsynced at the same time. Not atomic: a crash can leave the file short, so a reader must
 * be able to tell (a label set's journal line names the crop's length). Cheaper than `writeFileAtomic` (no temp
 * file, no rename, no fsync after it), which is what teaching one example waits for.
 */
export async function writeNewFileDurably(file: string, data: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx', 0o644);
  try {
    // The entry exists once open() returned: fsync the folder while the data is written and fsynced.
    await Promise.all([
      syncFolder(path.dirname(file)),
      (async () => {
        await handle.writeFile(data);
        await handle.sync();
      })(),
    ]);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

/** Makes renames and unlinks in `folder` durable; a no-op where folders cannot be fsynced (Windows). */
export async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Some platforms refuse to open or fsync a directory; the rename has still happened.
  } finally {
    await handle?.close();
  }
}

/**
 * Deletes temp files that a writer killed mid-write left in `folder`: only ours (by name) and only those
 * whose writing process is gone, so a live writer in another process keeps its file.
 */
export async function removeStaleTempFiles(folder: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = writerPid(name);
    if (pid === undefined || processIsAlive(pid)) continue;
    await unlink(path.join(folder, name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

function tempNameFor(file: string): string {
  return `${file}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
}

function writerPid(name: string): number | undefined {
  const match = /\.(\d+)-[0-9a-f]{8}\.tmp$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
