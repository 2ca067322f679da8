import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { contentEncodingOf, decodedBody } from './body-decoder';
import { DownloadError, describeCause } from './download-error';
import { DOWNLOAD_TIMEOUT_ENV, type DownloadLimits } from './download-limits';
import { ConnectionPool, getFollowingRedirects, TransferStop } from './http-request';
import { TransferWatchdog } from './transfer-watchdog';
import { toError } from '../to-error';
import { displayUrl } from './url-policy';

/** The most this file may hold, and where that bound comes from (named in the error). */
export interface SizeBound {
  bytes: number;
  source: string;
}

export interface HttpDownloadOptions {
  signal?: AbortSignal;
  limits: Pick<
    DownloadLimits,
    'maxRedirects' | 'responseTimeoutMs' | 'idleTimeoutMs' | 'minBytesPerWindow' | 'rateWindowMs' | 'totalTimeoutMs'
  >;
  /** Date.now() by which the whole model must be in; default: totalTimeoutMs from now. */
  deadline?: number;
  maxBytes: SizeBound;
  /** The exact size, when a catalog pin or a manifest knows it. */
  exactBytes?: SizeBound;
  /** Connections shared by one model's files; default: one of its own, closed at the end. */
  pool?: ConnectionPool;
  /** Called before each chunk is written; throwing a TransferStop stops the download (a bound over several files). */
  beforeWrite?(chunkBytes: number): void;
  onBytes?(bytes: number, totalBytes: number | undefined): void;
}

export interface HttpDownloadResult {
  bytes: number;
  sha256: string;
  /** After redirects. */
  finalUrl: string;
}

/** Encoded bytes a compressed body may take beyond the decoded bound (headers, incompressible data). */
const ENCODING_SLACK_BYTES = 1024 * 1024;

/**
 * GETs `url` (following checked redirects) and streams the body into `destination`, hashing as it
 * goes, then flushes the file to disk. Every limit is enforced while the bytes arrive: the size
 * bound (Content-Length checked before the body), a decoded-size bound on compressed bodies, the
 * response, idle, minimum-rate and total timeouts. Throws DownloadError naming the URL (without
 * credentials) and what was exceeded; the caller owns cleaning up `destination`.
 */
export async function downloadToFile(
  url: string,
  destination: string,
  options: HttpDownloadOptions,
): Promise<HttpDownloadResult> {
  const shown = displayUrl(url);
  const { limits, maxBytes, exactBytes } = options;
  const bound = exactBytes && exactBytes.bytes < maxBytes.bytes ? exactBytes : maxBytes;
  const stopper = new AbortController();
  const stop = (reason: TransferStop): void => {
    if (!stopper.signal.aborted) stopper.abort(reason);
  };
  const onCallerAbort = (): void => stop(new TransferStop('was cancelled'));
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const deadline = options.deadline ?? Date.now() + limits.totalTimeoutMs;
  const deadlineTimer = setTimeout(
    () =>
      stop(
        new TransferStop(
          `timed out: the model was not downloaded within ${limits.totalTimeoutMs} ms (total time limit, ` +
            `${DOWNLOAD_TIMEOUT_ENV})`,
        ),
      ),
    Math.max(0, deadline - Date.now()),
  );
  const pool = options.pool ?? new ConnectionPool();
  let watchdog: TransferWatchdog | undefined;
  let bytes = 0;
  let announced: number | undefined;

  const failure = (error: unknown): DownloadError => {
    if (error instanceof DownloadError) return error;
    const reason = stopper.signal.aborted ? stopper.signal.reason : error instanceof TransferStop ? error : undefined;
    if (reason instanceof TransferStop)
      return new DownloadError(`Download of ${shown} ${reason.message}`, shown, undefined, { cause: error });
    if (announced !== undefined && bytes < announced) {
      return new DownloadError(
        `Download of ${shown} failed: connection ended after ${bytes} of ${announced} bytes (${describeCause(error)})`,
        shown,
        undefined,
        { cause: error },
      );
    }
    return new DownloadError(`Download of ${shown} failed: ${describeCause(error)}`, shown, undefined, {
      cause: error,
    });
  };

  const file = await open(destination, 'w');
  try {
    const { response, finalUrl } = await getFollowingRedirects(new URL(url), {
      pool,
      maxRedirects: limits.maxRedirects,
      responseTimeoutMs: limits.responseTimeoutMs,
      signal: stopper.signal,
    });
    // Errors reach us through the body iterator; this keeps a late one (a stop racing the end) from crashing the
    // process.
    response.on('error', () => undefined);
    const onStop = (): void => void response.destroy(toError(stopper.signal.reason));
    stopper.signal.addEventListener('abort', onStop, { once: true });
    try {
      if (response.statusCode !== 200) {
        response.destroy();
        const where = finalUrl.href !== new URL(url).href ? ` (redirected to ${displayUrl(finalUrl)})` : '';
        throw new DownloadError(
          `Download of ${shown} failed: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd() + where,
          shown,
          response.statusCode,
        );
      }
      const encoding = contentEncodingOf(response);
      const lengthHeader = response.headers['content-length'];
      const length = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
      const maxEncoded = bound.bytes + ENCODING_SLACK_BYTES;
      // Content-Length counts the encoded bytes; only an identity body's length is the file's size.
      if (encoding === 'identity' && length !== undefined) {
        if (exactBytes && length !== exactBytes.bytes) {
          throw new TransferStop(
            `refused: the server announces ${length} bytes, but the file has ${exactBytes.bytes} ` +
              `(${exactBytes.source})`,
          );
        }
        if (length > bound.bytes) {
          throw new TransferStop(
            `refused: the server announces ${length} bytes, more than the ${bound.bytes} allowed (${bound.source})`,
          );
        }
        announced = length;
      } else if (length !== undefined && length > maxEncoded) {
        throw new TransferStop(
          `refused: the server announces ${length} ${encoding}-encoded bytes, more than the ${maxEncoded} allowed ` +
            `(${bound.source}, plus slack for the encoding)`,
        );
      }
      const body = decodedBody(response, encoding, maxEncoded);
      const totalBytes = announced ?? exactBytes?.bytes;
      watchdog = new TransferWatchdog(limits, totalBytes, stop);
      const hash = createHash('sha256');
      // Leaving the loop by a throw destroys the body (and with it the response): nothing more is read.
      for await (const chunk of body as AsyncIterable<Buffer>) {
        watchdog.received(chunk.length);
        if (bytes + chunk.length > bound.bytes)
          throw new TransferStop(
            `refused: the body goes on past ${bound.bytes} bytes, the most allowed (${bound.source})`,
          );
        options.beforeWrite?.(chunk.length);
        hash.update(chunk);
        await file.write(chunk);
        bytes += chunk.length;
        options.onBytes?.(bytes, totalBytes);
      }
      if (stopper.signal.aborted) throw stopper.signal.reason;
      if (announced !== undefined && bytes !== announced) {
        throw new DownloadError(
          `Download of ${shown} failed: connection ended after ${bytes} of ${announced} bytes`,
          shown,
        );
      }
      if (exactBytes && bytes !== exactBytes.bytes) {
        throw new DownloadError(
          `Download of ${shown} failed: got ${bytes} bytes, but the file has ${exactBytes.bytes} ` +
            `(${exactBytes.source})`,
          shown,
        );
      }
      await file.sync();
      return { bytes, sha256: hash.digest('hex'), finalUrl: finalUrl.href };
    } finally {
      stopper.signal.removeEventListener('abort', onStop);
      response.destroy();
    }
  } catch (error) {
    throw failure(error);
  } finally {
    clearTimeout(deadlineTimer);
    watchdog?.dispose();
    options.signal?.removeEventListener('abort', onCallerAbort);
    if (!options.pool) pool.close();
    await file.close();
  }
}
