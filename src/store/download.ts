import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { cacheDir as defaultCacheDir } from './cache';
import { cacheWriteError } from './cache-write-error';
import { DownloadError, describeCause } from './download-error';
import { downloadToFile } from './http-download';
import { extractTarMember } from './tar';
import { readWeightGroups } from './weights-manifest';

export { DownloadError } from './download-error';

export interface DownloadProgress {
  /** Local file name being written. */
  file: string;
  bytes: number;
  totalBytes?: number;
  filesDone: number;
  /** Grows once model.json has been read and its shards are known. */
  filesTotal: number;
}

export interface FetchModelOptions {
  cacheDir?: string;
  /** Cache folder name (e.g. a catalog name); default: derived from the URL. */
  name?: string;
  /** Expected sha256 per local file name (model.json, shard paths, the .tflite, or the archive's name). */
  sha256?: Record<string, string>;
  onProgress?(progress: DownloadProgress): void;
  signal?: AbortSignal;
  /** Fail when no data arrives for this long (ms). Default 30000. */
  timeoutMs?: number;
  /** For .tgz/.tar URLs: the file to take out of the archive (default: the archive's name with .tflite). */
  member?: string;
}

type Kind = 'model-json' | 'file' | 'archive';

/** Written last inside a cache entry; an entry without it was never completed and is never used. */
const MARKER = '.complete.json';
const TEMP_PREFIX = '.tmp-';
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const SHARDS_IN_PARALLEL = 4;

interface CompleteMarker {
  url: string;
  kind: Kind;
  /** The file fetchModel returns for 'file'/'archive'; 'model.json' for 'model-json'. */
  main: string;
  files: Record<string, { bytes: number; sha256: string }>;
  fetchedAt: string;
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError(`Cannot download "${url}": not a valid URL (expected an http:// or https:// URL)`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DownloadError(`Cannot download "${url}": protocol ${parsed.protocol} is not supported (valid: http:, https:)`, url);
  }
  return parsed;
}

/** A TF Hub module handle becomes its TF.js model.json, as loadGraphModel(url, {fromTFHub: true}) does. */
function resolveTfHubUrl(parsed: URL): URL {
  if (parsed.hostname !== 'tfhub.dev' || parsed.search !== '' || parsed.pathname.endsWith('.json')) return parsed;
  const withSlash = parsed.pathname.endsWith('/') ? parsed.href : `${parsed.href}/`;
  return new URL(`${withSlash}model.json?tfjs-format=file`);
}

function kindOf(parsed: URL): Kind {
  const file = parsed.pathname.toLowerCase();
  if (file.endsWith('.tflite')) return 'file';
  if (file.endsWith('.tgz') || file.endsWith('.tar.gz') || file.endsWith('.tar')) return 'archive';
  return 'model-json';
}

function checkEntryName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(`Invalid cache name "${name}": use letters, digits, '.', '_' and '-', starting with a letter or digit`);
  }
  return name;
}

/**
 * The URL's file name, used as a local file name: an encoded slash (`..%2F..%2Fx.tflite`) must not
 * turn it into a path that leaves the cache entry, so only what follows the last slash is kept.
 */
function lastPathSegment(parsed: URL): string {
  const raw = parsed.pathname.split('/').filter(Boolean).pop() ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw; // a stray '%' is part of the name
  }
  const name = decoded.split(/[\\/]/).pop() ?? '';
  if (name === '' || name === '.' || name === '..') {
    throw new DownloadError(`Cannot download "${parsed.href}": its path does not end in a file name`, parsed.href);
  }
  return name;
}

/** Where fetchModel keeps `url`: <cache>/<name or url-<hash>>. */
export function cacheEntryDir(url: string, options: { cacheDir?: string; name?: string } = {}): string {
  const name = options.name ?? `url-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
  return path.join(options.cacheDir ?? defaultCacheDir(), checkEntryName(name));
}

function resultPath(dir: string, marker: CompleteMarker): string {
  return marker.kind === 'model-json' ? dir : path.join(dir, marker.main);
}

/** The complete cache entry for `url` in `dir`, checked by file sizes, or undefined. */
async function readComplete(dir: string, url: string, pinned: Record<string, string> | undefined): Promise<string | undefined> {
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
    try {
      if ((await stat(path.join(dir, file))).size !== info.bytes) return undefined;
    } catch {
      return undefined;
    }
  }
  return resultPath(dir, marker);
}

/** The local path fetchModel would return for `url` if it is already cached, without any network. */
export async function cachedModelPath(
  url: string,
  options: { cacheDir?: string; name?: string; sha256?: Record<string, string> } = {},
): Promise<string | undefined> {
  const parsed = resolveTfHubUrl(parseHttpUrl(url));
  return readComplete(cacheEntryDir(url, options), parsed.href, options.sha256);
}

/** Temp folders left by a process that died mid-download; never read, only removed once clearly abandoned. */
async function removeStaleTemps(root: string): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const full = path.join(root, entry);
    const info = await stat(full).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(full, { recursive: true, force: true });
  }
}

class Fetcher {
  readonly files: CompleteMarker['files'] = {};
  private filesDone = 0;
  filesTotal = 1;
  private readonly pinnedUsed = new Set<string>();
  /** Aborted by the caller's signal, or by the first failed download to stop the parallel others. */
  private readonly stopAll = new AbortController();
  private readonly onCallerAbort = (): void => this.stopAll.abort();

  constructor(
    private readonly tempDir: string,
    private readonly options: FetchModelOptions,
  ) {
    if (options.signal?.aborted) this.stopAll.abort();
    else options.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  dispose(): void {
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
  }

  /** Runs `task` over `items`, `parallel` at a time; the first failure stops the rest and is thrown. */
  async each<T>(items: T[], parallel: number, task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    let firstError: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (next < items.length && !firstError) {
        const item = items[next++];
        try {
          await task(item);
        } catch (error) {
          firstError ??= { error };
          this.stopAll.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
    if (firstError) throw firstError.error;
  }

  private progress(file: string, bytes: number, totalBytes: number | undefined): void {
    this.options.onProgress?.({ file, bytes, totalBytes, filesDone: this.filesDone, filesTotal: this.filesTotal });
  }

  checkPinned(file: string, sha256: string, url: string): void {
    const expected = this.options.sha256?.[file];
    if (expected === undefined) return;
    this.pinnedUsed.add(file);
    if (expected.toLowerCase() !== sha256) {
      throw new DownloadError(`Integrity check failed for ${file} from ${url}: sha256 is ${sha256}, expected ${expected.toLowerCase()}`, url);
    }
  }

  /** Downloads `url` to `file` inside the temp folder, checking a pinned sha256. */
  async download(url: string, file: string): Promise<{ bytes: number; sha256: string }> {
    const destination = path.join(this.tempDir, file);
    await mkdir(path.dirname(destination), { recursive: true });
    const result = await downloadToFile(url, destination, {
      signal: this.stopAll.signal,
      idleTimeoutMs: this.options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      onBytes: (bytes, total) => this.progress(file, bytes, total),
    });
    this.checkPinned(file, result.sha256, url);
    this.filesDone++;
    this.progress(file, result.bytes, result.bytes);
    this.files[file] = { bytes: result.bytes, sha256: result.sha256 };
    return result;
  }

  forget(file: string): void {
    delete this.files[file];
  }

  /** A pinned name that matched no file means the pins describe a different model. */
  checkAllPinsUsed(url: string): void {
    const unused = Object.keys(this.options.sha256 ?? {}).filter((file) => !this.pinnedUsed.has(file));
    if (unused.length > 0) {
      throw new DownloadError(`${url} has no file named ${unused.join(', ')}, for which a sha256 was pinned; files: ${Object.keys(this.files).join(', ')}`, url);
    }
  }
}

/** model.json, then every shard its weightsManifest names (relative to it, keeping its query as tfjs does). */
async function fetchModelJson(fetcher: Fetcher, modelUrl: URL, tempDir: string): Promise<string> {
  const url = modelUrl.href;
  await fetcher.download(url, 'model.json');
  const text = await readFile(path.join(tempDir, 'model.json'), 'utf8');
  let groups;
  try {
    groups = readWeightGroups(text, url);
  } catch (error) {
    throw new DownloadError(error instanceof Error ? error.message : String(error), url, undefined, { cause: error });
  }
  fetcher.filesTotal = 1 + groups.reduce((count, group) => count + group.paths.length, 0);
  const lastSlash = url.lastIndexOf('/');
  const lastQuery = url.lastIndexOf('?');
  const prefix = url.substring(0, lastSlash + 1);
  const suffix = lastQuery > lastSlash ? url.substring(lastQuery) : '';
  // A few shards at once: on a real link each request costs a round trip or two, and models have 50+ shards.
  const bytes = new Map<string, number>();
  const shards = groups.flatMap((group) => group.paths);
  await fetcher.each(shards, SHARDS_IN_PARALLEL, async (shard) => {
    bytes.set(shard, (await fetcher.download(prefix + shard + suffix, shard)).bytes);
  });
  for (const [index, group] of groups.entries()) {
    const groupBytes = group.paths.reduce((sum, shard) => sum + (bytes.get(shard) ?? 0), 0);
    if (group.expectedBytes !== undefined && groupBytes !== group.expectedBytes) {
      throw new DownloadError(
        `Size check failed for weight group ${index + 1} (${group.paths.join(', ')}) of ${url}: ` +
          `got ${groupBytes} bytes, its manifest's weights need ${group.expectedBytes}`,
        url,
      );
    }
  }
  return 'model.json';
}

async function fetchArchiveMember(fetcher: Fetcher, archiveUrl: URL, tempDir: string, member: string): Promise<string> {
  const url = archiveUrl.href;
  const archiveName = lastPathSegment(archiveUrl);
  fetcher.filesTotal = 2;
  await fetcher.download(url, archiveName);
  const file = path.basename(member);
  let extracted;
  try {
    extracted = await extractTarMember(path.join(tempDir, archiveName), member, path.join(tempDir, file));
  } catch (error) {
    throw new DownloadError(`Cannot take ${member} out of ${url}: ${describeCause(error)}`, url, undefined, { cause: error });
  }
  fetcher.checkPinned(file, extracted.sha256, url);
  fetcher.files[file] = extracted;
  // The archive's checkpoints are not needed at run time; keep only the model file.
  fetcher.forget(archiveName);
  await rm(path.join(tempDir, archiveName), { force: true });
  return file;
}

/** Moves the finished temp folder to `finalDir`, replacing an outdated entry; a concurrent winner is reused. */
async function publish(tempDir: string, finalDir: string, url: string, pinned: Record<string, string> | undefined): Promise<string | undefined> {
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

/**
 * Fills the cache with the model at `url` and returns where it is: the folder holding model.json and
 * its shards (TF.js layers/graph model), or the .tflite file (plain or taken from a .tgz). A complete
 * cache entry for the same URL is used without any network; downloads go to a temp folder that is
 * renamed into place only once every file is present and verified, so nothing half-written is used.
 */
export async function fetchModel(url: string, options: FetchModelOptions = {}): Promise<string> {
  const requested = resolveTfHubUrl(parseHttpUrl(url));
  const finalDir = cacheEntryDir(url, options);
  const cached = await readComplete(finalDir, requested.href, options.sha256);
  if (cached) return cached;

  const root = path.dirname(finalDir);
  let tempDir: string;
  try {
    await mkdir(root, { recursive: true });
    await removeStaleTemps(root);
    tempDir = await mkdtemp(path.join(root, `${TEMP_PREFIX}${path.basename(finalDir)}-`));
  } catch (error) {
    throw cacheWriteError(error, requested.href, root) ?? error;
  }
  const fetcher = new Fetcher(tempDir, options);
  try {
    const kind = kindOf(requested);
    let main: string;
    if (kind === 'model-json') {
      main = await fetchModelJson(fetcher, requested, tempDir);
    } else if (kind === 'file') {
      main = lastPathSegment(requested);
      await fetcher.download(requested.href, main);
    } else {
      const member = options.member ?? lastPathSegment(requested).replace(/\.(tgz|tar\.gz|tar)$/i, '.tflite');
      main = await fetchArchiveMember(fetcher, requested, tempDir, member);
    }
    fetcher.checkAllPinsUsed(requested.href);
    const marker: CompleteMarker = { url: requested.href, kind, main, files: fetcher.files, fetchedAt: new Date().toISOString() };
    await writeFile(path.join(tempDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`, { flush: true });
    const winner = await publish(tempDir, finalDir, requested.href, options.sha256);
    return winner ?? resultPath(finalDir, marker);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw cacheWriteError(error, requested.href, root) ?? error;
  } finally {
    fetcher.dispose();
  }
}
