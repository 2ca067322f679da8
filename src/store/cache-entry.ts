import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';

export type ModelKind = 'model-json' | 'file' | 'archive';

/** Written last inside a cache entry; an entry without it was never completed and is never used. */
export const MARKER = '.complete.json';
export const TEMP_PREFIX = '.tmp-';
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export interface CompleteMarker {
  url: string;
  kind: ModelKind;
  /** The file fetchModel returns for 'file'/'archive'; 'model.json' for 'model-json'. */
  main: string;
  files: Record<string, { bytes: number; sha256: string }>;
  fetchedAt: string;
}

export function resultPath(dir: string, marker: CompleteMarker): string {
  return marker.kind === 'model-json' ? dir : path.join(dir, marker.main);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The complete cache entry for `url` in `dir`, or undefined. Every file is re-hashed against the
 * sha256 recorded when it was downloaded (and a pinned sha256 must be the one recorded), so a file
 * changed on disk since (an SD card's bit rot, a hand edit, tampering) is never loaded; the entry is
 * then downloaded again. A few MB hash in milliseconds; this runs once per model load.
 */
export async function readComplete(
  dir: string,
  url: string,
  pinned: Record<string, string> | undefined,
): Promise<string | undefined> {
  let marker: CompleteMarker;
  try {
    marker = JSON.parse(await readFile(path.join(dir, MARKER), 'utf8')) as CompleteMarker;
  } catch {
    return undefined;
  }
  if (marker.url !== url || typeof marker.files !== 'object' || marker.files === null) return undefined;
  for (const [file, expected] of Object.entries(pinned ?? {})) {
    const recorded = marker.files[file];
    if (recorded && recorded.sha256 !== expected.toLowerCase()) return undefined;
  }
  for (const [file, info] of Object.entries(marker.files)) {
    const full = path.join(dir, file);
    // Recorded names come from a file in the cache; one that leads outside the entry is not ours.
    const relative = path.relative(dir, full);
    if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative))
      return undefined;
    try {
      if ((await stat(full)).size !== info.bytes) return undefined;
      if ((await sha256Of(full)) !== info.sha256) return undefined;
    } catch {
      return undefined;
    }
  }
  return resultPath(dir, marker);
}

/** Temp folders left by a process that died mid-download; never read, only removed once clearly abandoned. */
export async function removeStaleTemps(root: string): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const full = path.join(root, entry);
    const info = await stat(full).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(full, { recursive: true, force: true });
  }
}

/** Moves the finished temp folder to `finalDir`, replacing an outdated entry; a concurrent winner is reused. */
export async function moveIntoCache(
  tempDir: string,
  finalDir: string,
  url: string,
  pinned: Record<string, string> | undefined,
): Promise<string | undefined> {
  try {
    await rename(tempDir, finalDir);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const winner = await readComplete(finalDir, url, pinned);
  if (winner) {
    await rm(tempDir, { recursive: true, force: true });
    return winner;
  }
  const aside = `${path.join(path.dirname(tempDir), TEMP_PREFIX)}old-${randomBytes(4).toString('hex')}`;
  await rename(finalDir, aside);
  await rename(tempDir, finalDir);
  await rm(aside, { recursive: true, force: true });
  return undefined;
}
