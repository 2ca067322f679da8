import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { DownloadError } from './download-error';
import { checkRedirect, displayUrl } from './url-policy';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const REQUEST_HEADERS = {
  accept: '*/*',
  // Servers (GCS among them) may send model.json compressed; the body decoder bounds what it inflates to.
  'accept-encoding': 'gzip, deflate, br',
  'user-agent': 'node-red-contrib-mobilenet-mqtt',
};

/**
 * Why a transfer was stopped on purpose (a limit, a timeout, the caller); the message completes "Download of URL ...".
 */
export class TransferStop extends Error {
  override readonly name = 'TransferStop';
}

/**
 * Keep-alive connections for one model's files (a layers model has 50+ shards on one host), closed
 * together when the model is done, so no socket to a model server outlives its download.
 */
export class ConnectionPool {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;

  /** `extraCa`: PEM certificates trusted besides Node's bundled roots (a private model server). */
  constructor(extraCa?: string | Buffer | Array<string | Buffer>) {
    const extra = extraCa === undefined ? [] : Array.isArray(extraCa) ? extraCa : [extraCa];
    this.httpsAgent = new https.Agent(
      extra.length > 0 ? { keepAlive: true, ca: [...rootCertificates, ...extra] } : { keepAlive: true },
    );
  }

  agentFor(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

export interface GetOptions {
  pool: ConnectionPool;
  maxRedirects: number;
  /** Per request: from sending it to its response headers. */
  responseTimeoutMs: number;
  /** Aborting it destroys the request in flight; its reason becomes the rejection. */
  signal: AbortSignal;
}

function requestOnce(url: URL, options: GetOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.get(url, { agent: options.pool.agentFor(url), headers: REQUEST_HEADERS });
    // A hard timer, not socket idleness: a server dripping header bytes must not hold the request open.
    const timer = setTimeout(() => {
      request.destroy(
        new TransferStop(`timed out: no response from ${displayUrl(url)} within ${options.responseTimeoutMs} ms`),
      );
    }, options.responseTimeoutMs);
    const onAbort = (): void => {
      request.destroy(options.signal.reason instanceof Error ? options.signal.reason : new TransferStop('was stopped'));
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    };
    request.once('response', (response) => {
      settle();
      resolve(response);
    });
    request.on('error', (error) => {
      settle();
      reject(error);
    });
  });
}

/**
 * GETs `url`, following at most `maxRedirects` redirects, each checked by checkRedirect (never from
 * https down to http). Resolves with the first non-redirect response, whatever its status.
 */
export async function getFollowingRedirects(
  url: URL,
  options: GetOptions,
): Promise<{ response: http.IncomingMessage; finalUrl: URL }> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const response = await requestOnce(current, options);
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0)) return { response, finalUrl: current };
    // A redirect's body is never read: destroying it also stops a server that sends one forever.
    response.destroy();
    if (redirects >= options.maxRedirects) {
      throw new DownloadError(
        `Download of ${displayUrl(url)} refused: more than ${options.maxRedirects} redirects (the last from ` +
          `${displayUrl(current)})`,
        displayUrl(url),
      );
    }
    current = checkRedirect(current, response.headers.location, url);
  }
}
