import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { DownloadError, describeCause } from './download-error';

export interface HttpDownloadOptions {
  signal?: AbortSignal;
  /** Give up when no bytes arrive for this long (ms). A whole-file limit would fail big models on slow links. */
  idleTimeoutMs: number;
  onBytes?(bytes: number, totalBytes: number | undefined): void;
}

export interface HttpDownloadResult {
  bytes: number;
  sha256: string;
  /** After redirects. */
  finalUrl: string;
}

/**
 * GETs `url` (following redirects) and streams the body into `destination`, hashing as it goes, then
 * flushes the file to disk. Throws DownloadError naming the URL and the HTTP status or the cause;
 * the caller owns cleaning up `destination`.
 */
export async function downloadToFile(url: string, destination: string, options: HttpDownloadOptions): Promise<HttpDownloadResult> {
  const idle = new AbortController();
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => idle.abort(), options.idleTimeoutMs);
  };
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const failure = (error: unknown): DownloadError => {
    if (options.signal?.aborted) return new DownloadError(`Download of ${url} was cancelled`, url, undefined, { cause: error });
    if (idle.signal.aborted) {
      return new DownloadError(`Download of ${url} timed out: no data for ${options.idleTimeoutMs} ms`, url, undefined, { cause: error });
    }
    return new DownloadError(`Download of ${url} failed: ${describeCause(error)}`, url, undefined, { cause: error });
  };

  armIdleTimer();
  const file = await open(destination, 'w');
  try {
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'follow', signal });
    } catch (error) {
      throw failure(error);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const where = response.url && response.url !== url ? ` (redirected to ${response.url})` : '';
      throw new DownloadError(`Download of ${url} failed: HTTP ${response.status} ${response.statusText}${where}`.trimEnd(), url, response.status);
    }
    // fetch decodes a Content-Encoding (gzip) body, and Content-Length then counts the encoded bytes.
    const encoding = response.headers.get('content-encoding');
    const lengthHeader = encoding && encoding !== 'identity' ? null : response.headers.get('content-length');
    const totalBytes = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      if (response.body) {
        for await (const chunk of response.body) {
          armIdleTimer();
          hash.update(chunk);
          await file.write(chunk);
          bytes += chunk.byteLength;
          options.onBytes?.(bytes, totalBytes);
        }
      }
    } catch (error) {
      throw failure(error);
    }
    if (totalBytes !== undefined && bytes !== totalBytes) {
      throw new DownloadError(`Download of ${url} failed: connection ended after ${bytes} of ${totalBytes} bytes`, url);
    }
    await file.sync();
    return { bytes, sha256: hash.digest('hex'), finalUrl: response.url || url };
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    await file.close();
  }
}
