import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { CompleteMarker } from './cache-entry';
import { DownloadError } from './download-error';
import { MAX_DOWNLOAD_BYTES_ENV, MAX_MODEL_BYTES_ENV, type DownloadLimits } from './download-limits';
import { downloadToFile, type SizeBound } from './http-download';
import { ConnectionPool, TransferStop } from './http-request';
import { displayUrl } from './url-policy';

/** How far a model download has got, reported through `onProgress` while a model loads. */
export interface DownloadProgress {
  /** Local file name being written. */
  file: string;
  bytes: number;
  totalBytes?: number;
  filesDone: number;
  /** Grows once model.json has been read and its shards are known. */
  filesTotal: number;
}

export interface FetcherOptions {
  /** Expected sha256 per local file name. */
  sha256?: Record<string, string>;
  /** Exact size per local file name (a catalog pin): refused at the first byte beyond it. */
  expectedBytes?: Record<string, number>;
  /** Upper bound per local file name, replacing the per-file limit for that file (the catalog knows it). */
  maxBytes?: Record<string, number>;
  /** Extra PEM certificate authorities to trust (a private model server). */
  ca?: string | Buffer | Array<string | Buffer>;
  onProgress?(progress: DownloadProgress): void;
  signal?: AbortSignal;
}

/** The files of one model being downloaded into a temp folder, under one set of limits and one deadline. */
export class ModelFetcher {
  readonly files: CompleteMarker['files'] = {};
  private filesDone = 0;
  filesTotal = 1;
  private readonly pinnedUsed = new Set<string>();
  /** Aborted by the caller's signal, or by the first failed download to stop the parallel others. */
  private readonly stopAll = new AbortController();
  private readonly onCallerAbort = (): void => this.stopAll.abort();
  private readonly pool: ConnectionPool;
  private readonly deadline: number;
  private modelBytes = 0;

  constructor(
    private readonly tempDir: string,
    readonly limits: DownloadLimits,
    private readonly options: FetcherOptions,
  ) {
    this.pool = new ConnectionPool(options.ca);
    this.deadline = Date.now() + limits.totalTimeoutMs;
    if (options.signal?.aborted) this.stopAll.abort();
    else options.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  dispose(): void {
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
    this.pool.close();
  }

  /**
   * Runs `task` over `items`, `parallel` at a time; the first failure stops the rest and is thrown.
   * When the caller cancels, every file in flight fails at once: the earliest item's error is
   * thrown, so the file named does not depend on which rejection the event loop ran first.
   */
  async each<T>(items: T[], parallel: number, task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const failed: { first?: { error: unknown; index: number } } = {};
    const record = (error: unknown, index: number): void => {
      const cancelled = this.options.signal?.aborted === true;
      if (!failed.first || (cancelled && index < failed.first.index)) failed.first = { error, index };
      this.stopAll.abort();
    };
    const worker = async (): Promise<void> => {
      while (next < items.length && !failed.first) {
        const index = next++;
        try {
          await task(items[index]);
        } catch (error) {
          record(error, index);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
    if (failed.first) throw failed.first.error;
  }

  private progress(file: string, bytes: number, totalBytes: number | undefined): void {
    this.options.onProgress?.({ file, bytes, totalBytes, filesDone: this.filesDone, filesTotal: this.filesTotal });
  }

  /** The most `file` may hold: the caller's bound for it, else the per-file (or model.json) limit. */
  boundFor(file: string, isModelJson = false): SizeBound {
    const given = this.options.maxBytes?.[file];
    if (given !== undefined) return { bytes: given, source: `the catalog's bound for ${file}` };
    if (isModelJson && this.limits.maxModelJsonBytes < this.limits.maxFileBytes) {
      return { bytes: this.limits.maxModelJsonBytes, source: 'the limit for a model.json' };
    }
    return { bytes: this.limits.maxFileBytes, source: `the per-file limit, ${MAX_DOWNLOAD_BYTES_ENV}` };
  }

  exactFor(file: string): SizeBound | undefined {
    const bytes = this.options.expectedBytes?.[file];
    return bytes === undefined ? undefined : { bytes, source: `the catalog's size for ${file}` };
  }

  /** Counts bytes written for this model; beyond maxModelBytes the download in progress stops. */
  private countModelBytes(bytes: number): void {
    this.modelBytes += bytes;
    if (this.modelBytes > this.limits.maxModelBytes) {
      throw new TransferStop(
        `refused: the model's files add up to more than ${this.limits.maxModelBytes} bytes (the per-model limit, ` +
          `${MAX_MODEL_BYTES_ENV})`,
      );
    }
  }

  checkPinned(file: string, sha256: string, url: string): void {
    const expected = this.options.sha256?.[file];
    if (expected === undefined) return;
    this.pinnedUsed.add(file);
    if (expected.toLowerCase() !== sha256) {
      const shown = displayUrl(url);
      throw new DownloadError(
        `Integrity check failed for ${file} from ${shown}: sha256 is ${sha256}, expected ${expected.toLowerCase()}`,
        shown,
      );
    }
  }

  /** Downloads `url` to `file` inside the temp folder within its bounds, checking a pinned sha256. */
  async download(
    url: string,
    file: string,
    bound: SizeBound = this.boundFor(file),
  ): Promise<{ bytes: number; sha256: string }> {
    const destination = path.join(this.tempDir, file);
    await mkdir(path.dirname(destination), { recursive: true });
    const result = await downloadToFile(url, destination, {
      signal: this.stopAll.signal,
      limits: this.limits,
      deadline: this.deadline,
      maxBytes: bound,
      exactBytes: this.exactFor(file),
      pool: this.pool,
      beforeWrite: (bytes) => this.countModelBytes(bytes),
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
      const shown = displayUrl(url);
      throw new DownloadError(
        `${shown} has no file named ${unused.join(', ')}, for which a sha256 was pinned; files: ` +
          `${Object.keys(this.files).join(', ')}`,
        shown,
      );
    }
  }
}
