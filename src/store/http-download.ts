import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { type ContentEncoding, contentEncodingOf, decodedBody } from './body-decoder';
import { DownloadError, describeCause } from './download-error';
import type { DownloadLimits } from './download-limits';
import { ConnectionPool, getFollowingRedirects, TransferStop } from './http-request';
import { TransferStopper } from './transfer-stopper';
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

/** What has arrived so far, for the error when the transfer breaks off. */
interface Progress {
  bytes: number;
  /** The Content-Length of an identity body, once checked against the bounds. */
  announced?: number;
}

/** One file's download, as its steps share it. */
interface Transfer {
  url: string;
  /** The URL without credentials, for messages. */
  shown: string;
  file: FileHandle;
  stopper: TransferStopper;
  progress: Progress;
  options: HttpDownloadOptions;
}

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
  const { limits } = options;
  // Opened first: a destination that cannot be written leaves no deadline timer or pool behind.
  const file = await open(destination, 'w');
  const stopper = new TransferStopper(
    options.signal,
    options.deadline ?? Date.now() + limits.totalTimeoutMs,
    limits.totalTimeoutMs,
  );
  const pool = options.pool ?? new ConnectionPool();
  const transfer: Transfer = { url, shown: displayUrl(url), file, stopper, progress: { bytes: 0 }, options };
  try {
    const { response, finalUrl } = await getFollowingRedirects(new URL(url), {
      pool,
      maxRedirects: limits.maxRedirects,
      responseTimeoutMs: limits.responseTimeoutMs,
      signal: stopper.signal,
    });
    return await receiveResponse(response, finalUrl, transfer);
  } catch (error) {
    throw downloadFailure(error, transfer);
  } finally {
    stopper.dispose();
    if (!options.pool) pool.close();
    await file.close();
  }
}

/** Checks the response and writes its body into `file`; the response is destroyed however this ends. */
async function receiveResponse(
  response: IncomingMessage,
  finalUrl: URL,
  transfer: Transfer,
): Promise<HttpDownloadResult> {
  const { stopper, progress, options } = transfer;
  // Errors reach us through the body iterator; this keeps a late one (a stop racing the end) from crashing the
  // process.
  response.on('error', () => undefined);
  const onStop = (): void => void response.destroy(toError(stopper.signal.reason));
  stopper.signal.addEventListener('abort', onStop, { once: true });
  try {
    checkStatus(response, transfer, finalUrl);
    const bound = sizeBound(options);
    const encoding = contentEncodingOf(response);
    const maxEncoded = bound.bytes + ENCODING_SLACK_BYTES;
    progress.announced = checkAnnouncedLength(response, encoding, bound, options.exactBytes, maxEncoded);
    const body = decodedBody(response, encoding, maxEncoded) as AsyncIterable<Buffer>;
    const sha256 = await writeBody(body, bound, transfer);
    if (stopper.reason) throw stopper.reason;
    checkReceivedLength(transfer);
    await transfer.file.sync();
    return { bytes: progress.bytes, sha256, finalUrl: finalUrl.href };
  } finally {
    stopper.signal.removeEventListener('abort', onStop);
    response.destroy();
  }
}

/** The tighter of the two bounds: an exact size known beforehand, or the most a file may hold. */
function sizeBound({ maxBytes, exactBytes }: HttpDownloadOptions): SizeBound {
  return exactBytes && exactBytes.bytes < maxBytes.bytes ? exactBytes : maxBytes;
}

function checkStatus(response: IncomingMessage, { url, shown }: Transfer, finalUrl: URL): void {
  if (response.statusCode === 200) return;
  response.destroy();
  const where = finalUrl.href !== new URL(url).href ? ` (redirected to ${displayUrl(finalUrl)})` : '';
  throw new DownloadError(
    `Download of ${shown} failed: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd() + where,
    shown,
    response.statusCode,
  );
}

/**
 * The file size the server announces, refused before any body byte is read when it breaks a bound;
 * undefined when there is no Content-Length or it counts encoded bytes (only an identity body's length
 * is the file's size, so an encoded one is only held to the encoded bound).
 */
function checkAnnouncedLength(
  response: IncomingMessage,
  encoding: ContentEncoding,
  bound: SizeBound,
  exactBytes: SizeBound | undefined,
  maxEncoded: number,
): number | undefined {
  const header = response.headers['content-length'];
  const length = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
  if (length === undefined) return undefined;
  if (encoding !== 'identity') {
    if (length <= maxEncoded) return undefined;
    throw new TransferStop(
      `refused: the server announces ${length} ${encoding}-encoded bytes, more than the ${maxEncoded} allowed ` +
        `(${bound.source}, plus slack for the encoding)`,
    );
  }
  if (exactBytes && length !== exactBytes.bytes) {
    throw new TransferStop(
      `refused: the server announces ${length} bytes, but the file has ${exactBytes.bytes} (${exactBytes.source})`,
    );
  }
  if (length > bound.bytes) {
    throw new TransferStop(
      `refused: the server announces ${length} bytes, more than the ${bound.bytes} allowed (${bound.source})`,
    );
  }
  return length;
}

/** Streams the body into `file` under the watchdog and the size bound; returns its sha256. */
async function writeBody(body: AsyncIterable<Buffer>, bound: SizeBound, transfer: Transfer): Promise<string> {
  const { file, stopper, progress, options } = transfer;
  const totalBytes = progress.announced ?? options.exactBytes?.bytes;
  const watchdog = new TransferWatchdog(options.limits, totalBytes, stopper.stop);
  const hash = createHash('sha256');
  try {
    // Leaving the loop by a throw destroys the body (and with it the response): nothing more is read.
    for await (const chunk of body) {
      watchdog.received(chunk.length);
      if (progress.bytes + chunk.length > bound.bytes) {
        throw new TransferStop(
          `refused: the body goes on past ${bound.bytes} bytes, the most allowed (${bound.source})`,
        );
      }
      options.beforeWrite?.(chunk.length);
      hash.update(chunk);
      await file.write(chunk);
      progress.bytes += chunk.length;
      options.onBytes?.(progress.bytes, totalBytes);
    }
  } finally {
    watchdog.dispose();
  }
  return hash.digest('hex');
}

/** A body that ended early or does not have the pinned size is refused. */
function checkReceivedLength({ shown, progress, options }: Transfer): void {
  const { bytes, announced } = progress;
  const { exactBytes } = options;
  if (announced !== undefined && bytes !== announced) {
    throw new DownloadError(
      `Download of ${shown} failed: connection ended after ${bytes} of ${announced} bytes`,
      shown,
    );
  }
  if (exactBytes && bytes !== exactBytes.bytes) {
    throw new DownloadError(
      `Download of ${shown} failed: got ${bytes} bytes, but the file has ${exactBytes.bytes} (${exactBytes.source})`,
      shown,
    );
  }
}

/** Any failure as a DownloadError that says why: the stop's reason first, then a cut-off, then the cause. */
function downloadFailure(error: unknown, { shown, stopper, progress }: Transfer): DownloadError {
  if (error instanceof DownloadError) return error;
  const reason = stopper.reason ?? (error instanceof TransferStop ? error : undefined);
  if (reason) return new DownloadError(`Download of ${shown} ${reason.message}`, shown, undefined, { cause: error });
  const { bytes, announced } = progress;
  const cutOff = announced !== undefined && bytes < announced;
  const what = cutOff
    ? `connection ended after ${bytes} of ${announced} bytes (${describeCause(error)})`
    : describeCause(error);
  return new DownloadError(`Download of ${shown} failed: ${what}`, shown, undefined, { cause: error });
}
