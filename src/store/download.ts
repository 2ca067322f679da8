import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { cacheDir as defaultCacheDir } from './cache';
import {
  MARKER,
  moveIntoCache,
  readComplete,
  removeStaleTemps,
  resultPath,
  TEMP_PREFIX,
  type CompleteMarker,
  type ModelKind,
} from './cache-entry';
import { cacheWriteError } from './cache-write-error';
import { DownloadError, describeCause } from './download-error';
import { resolveDownloadLimits, type DownloadLimits } from './download-limits';
import type { FetcherOptions, ModelFetcher } from './model-fetcher';
import { checkRequestedUrl, displayUrl } from './url-policy';
import { readWeightGroups } from './weights-manifest';
import { toError } from '../to-error';

export { DownloadError } from './download-error';
export type { DownloadLimits } from './download-limits';
export type { DownloadProgress } from './model-fetcher';

export interface FetchModelOptions extends FetcherOptions {
  cacheDir?: string;
  /** Cache folder name (e.g. a catalog name); default: derived from the URL. */
  name?: string;
  /** Expected sha256 per local file name (model.json, shard paths, the .tflite, or the archive's name). */
  sha256?: Record<string, string>;
  /** Overrides of the documented limits (sizes, redirects, timeouts); the rest from the environment or defaults. */
  limits?: Partial<DownloadLimits>;
  /** Fail when no data arrives for this long (ms); the same as limits.idleTimeoutMs. Default 30000. */
  timeoutMs?: number;
  /** For .tgz/.tar URLs: the file to take out of the archive (default: the archive's name with .tflite). */
  member?: string;
}

const SHARDS_IN_PARALLEL = 4;

/** A TF Hub module handle becomes its TF.js model.json, as loadGraphModel(url, {fromTFHub: true}) does. */
function resolveTfHubUrl(parsed: URL): URL {
  if (parsed.hostname !== 'tfhub.dev' || parsed.search !== '' || parsed.pathname.endsWith('.json')) return parsed;
  const withSlash = parsed.pathname.endsWith('/') ? parsed.href : `${parsed.href}/`;
  return new URL(`${withSlash}model.json?tfjs-format=file`);
}

function kindOf(parsed: URL): ModelKind {
  const file = parsed.pathname.toLowerCase();
  if (file.endsWith('.tflite')) return 'file';
  if (file.endsWith('.tgz') || file.endsWith('.tar.gz') || file.endsWith('.tar')) return 'archive';
  return 'model-json';
}

function checkEntryName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(
      `Invalid cache name "${name}": use letters, digits, '.', '_' and '-', starting with a letter or digit`,
    );
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
    throw new DownloadError(
      `Cannot download "${displayUrl(parsed)}": its path does not end in a file name`,
      displayUrl(parsed),
    );
  }
  return name;
}

/** Where fetchModel keeps `url`: <cache>/<name or url-<hash>>. */
export function cacheEntryDir(url: string, options: { cacheDir?: string; name?: string } = {}): string {
  const name = options.name ?? `url-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
  return path.join(options.cacheDir ?? defaultCacheDir(), checkEntryName(name));
}

/**
 * The URL fetchModel requests first for `url` (a TF Hub handle becomes its model.json); checked as fetchModel checks
 * it.
 */
export function resolvedModelUrl(url: string): string {
  return resolveTfHubUrl(checkRequestedUrl(url)).href;
}

/** The local path fetchModel would return for `url` if it is already cached, without any network. */
export async function cachedModelPath(
  url: string,
  options: { cacheDir?: string; name?: string; sha256?: Record<string, string> } = {},
): Promise<string | undefined> {
  const parsed = resolveTfHubUrl(checkRequestedUrl(url));
  return readComplete(cacheEntryDir(url, options), parsed.href, options.sha256);
}

/** model.json, then every shard its weightsManifest names (relative to it, keeping its query as tfjs does). */
async function fetchModelJson(fetcher: ModelFetcher, modelUrl: URL, tempDir: string): Promise<string> {
  const url = modelUrl.href;
  const shown = displayUrl(modelUrl);
  await fetcher.download(url, 'model.json', fetcher.boundFor('model.json', true));
  const text = await readFile(path.join(tempDir, 'model.json'), 'utf8');
  let groups;
  try {
    groups = readWeightGroups(text, shown);
  } catch (error) {
    throw new DownloadError(toError(error).message, shown, undefined, { cause: error });
  }
  fetcher.filesTotal = 1 + groups.reduce((count, group) => count + group.paths.length, 0);
  const lastSlash = url.lastIndexOf('/');
  const lastQuery = url.lastIndexOf('?');
  const prefix = url.substring(0, lastSlash + 1);
  const suffix = lastQuery > lastSlash ? url.substring(lastQuery) : '';
  // A few shards at once: on a real link each request costs a round trip or two, and models have 50+ shards.
  const bytes = new Map<string, number>();
  const shards = groups.flatMap((group, index) => group.paths.map((shard) => ({ shard, group, index })));
  await fetcher.each(shards, SHARDS_IN_PARALLEL, async ({ shard, group, index }) => {
    // The manifest says how many bytes the group's weights need: no shard of it may hold more.
    const general = fetcher.boundFor(shard);
    const bound =
      group.expectedBytes !== undefined && group.expectedBytes < general.bytes
        ? {
            bytes: group.expectedBytes,
            source: `what weight group ${index + 1} of model.json's weights manifest needs`,
          }
        : general;
    bytes.set(shard, (await fetcher.download(prefix + shard + suffix, shard, bound)).bytes);
  });
  for (const [index, group] of groups.entries()) {
    const groupBytes = group.paths.reduce((sum, shard) => sum + (bytes.get(shard) ?? 0), 0);
    if (group.expectedBytes !== undefined && groupBytes !== group.expectedBytes) {
      throw new DownloadError(
        `Size check failed for weight group ${index + 1} (${group.paths.join(', ')}) of ${shown}: ` +
          `got ${groupBytes} bytes, its manifest's weights need ${group.expectedBytes}`,
        shown,
      );
    }
  }
  return 'model.json';
}

/** The local name of an archive member: its last path part, which must be an ordinary file name. */
function memberFileName(member: string, shown: string): string {
  const file = path.basename(member);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file)) {
    throw new DownloadError(
      `Cannot take "${member}" out of ${shown}: the member must end in a file name of letters, digits, '.', '_' ` +
        `and '-'`,
      shown,
    );
  }
  return file;
}

async function fetchArchiveMember(
  fetcher: ModelFetcher,
  archiveUrl: URL,
  tempDir: string,
  member: string,
): Promise<string> {
  const url = archiveUrl.href;
  const shown = displayUrl(archiveUrl);
  const archiveName = lastPathSegment(archiveUrl);
  const file = memberFileName(member, shown);
  fetcher.filesTotal = 2;
  await fetcher.download(url, archiveName);
  const { extractTarMember } = require('./tar') as typeof import('./tar');
  let extracted;
  try {
    extracted = await extractTarMember(path.join(tempDir, archiveName), member, path.join(tempDir, file), {
      maxMemberBytes: fetcher.exactFor(file)?.bytes ?? fetcher.boundFor(file).bytes,
      maxInflatedBytes: fetcher.limits.maxModelBytes,
      maxEntries: fetcher.limits.maxArchiveEntries,
    });
  } catch (error) {
    throw new DownloadError(`Cannot take ${member} out of ${shown}: ${describeCause(error)}`, shown, undefined, {
      cause: error,
    });
  }
  fetcher.checkPinned(file, extracted.sha256, url);
  fetcher.files[file] = extracted;
  // The archive's checkpoints are not needed at run time; keep only the model file.
  fetcher.forget(archiveName);
  await rm(path.join(tempDir, archiveName), { force: true });
  return file;
}

/**
 * Fills the cache with the model at `url` and returns where it is: the folder holding model.json and
 * its shards (TF.js layers/graph model), or the .tflite file (plain or taken from a .tgz). A complete
 * cache entry for the same URL, whose files still hash as recorded, is used without any network;
 * downloads go to a temp folder that is renamed into place only once every file is present and
 * verified, so nothing half-written is used. Every file is bounded in size and time (DownloadLimits).
 */
export async function fetchModel(url: string, options: FetchModelOptions = {}): Promise<string> {
  const requested = resolveTfHubUrl(checkRequestedUrl(url));
  const limits = resolveDownloadLimits({ idleTimeoutMs: options.timeoutMs, ...options.limits });
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
  // The HTTP client (http, https, zlib and the fetcher's own modules) is loaded by a download only: a model
  // found in the cache or on disk starts without it.
  const { ModelFetcher } = require('./model-fetcher') as typeof import('./model-fetcher');
  const fetcher = new ModelFetcher(tempDir, limits, options);
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
    const marker: CompleteMarker = {
      url: requested.href,
      kind,
      main,
      files: fetcher.files,
      fetchedAt: new Date().toISOString(),
    };
    await writeFile(path.join(tempDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`, { flush: true });
    const winner = await moveIntoCache(tempDir, finalDir, requested.href, options.sha256);
    return winner ?? resultPath(finalDir, marker);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw cacheWriteError(error, requested.href, root) ?? error;
  } finally {
    fetcher.dispose();
  }
}
