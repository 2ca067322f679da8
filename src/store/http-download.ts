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
  // Cancellation does not rely on fetch's own signal handling: undici holds its request's abort
  // controller weakly, and once that is collected an abort no longer reaches a body being read
  // (seen here as rare hangs). So an abort here also rejects the wait for headers and cancels the
  // body reader directly; the signal passed to fetch is only a best effort to free the socket.
  const controller = new AbortController();
  let timedOut = false;
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.idleTimeoutMs);
  };
  const onCallerAbort = (): void => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const abortedWhileWaiting = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
  abortedWhileWaiting.catch(() => undefined);
  const failure = (error: unknown): DownloadError => {
    if (timedOut) {
      return new DownloadError(`Download of ${url} timed out: no data for ${options.idleTimeoutMs} ms`, url, undefined, { cause: error });
    }
    if (options.signal?.aborted) return new DownloadError(`Download of ${url} was cancelled`, url, undefined, { cause: error });
    return new DownloadError(`Download of ${url} failed: ${describeCause(error)}`, url, undefined, { cause: error });
  };

  armIdleTimer();
  const file = await open(destination, 'w');
  let cancelReader: (() => void) | undefined;
  try {
    let response: Response;
    const request = fetch(url, { redirect: 'follow', signal: controller.signal });
    try {
      response = await Promise.race([request, abortedWhileWaiting]);
    } catch (error) {
      // If the abort won the race, free the connection whenever the response does arrive.
      request.then((late) => late.body?.cancel(), () => undefined).catch(() => undefined);
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
    if (response.body) {
      const reader = response.body.getReader();
      // Cancelling resolves a pending read() as done, so the loop below ends even if fetch ignores the abort.
      cancelReader = () => void reader.cancel().catch(() => undefined);
      controller.signal.addEventListener('abort', cancelReader, { once: true });
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done || controller.signal.aborted) break;
          armIdleTimer();
          hash.update(value);
          await file.write(value);
          bytes += value.byteLength;
          options.onBytes?.(bytes, totalBytes);
        }
      } catch (error) {
        throw failure(error);
      }
      if (controller.signal.aborted) throw failure(new Error('aborted'));
    }
    if (totalBytes !== undefined && bytes !== totalBytes) {
      throw new DownloadError(`Download of ${url} failed: connection ended after ${bytes} of ${totalBytes} bytes`, url);
    }
    await file.sync();
    return { bytes, sha256: hash.digest('hex'), finalUrl: response.url || url };
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    if (cancelReader) controller.signal.removeEventListener('abort', cancelReader);
    await file.close();
  }
}
