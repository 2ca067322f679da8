import * as http from 'node:http';
import * as https from 'node:https';

/** The URL without user:password, fit for error messages and status text. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`${what} must be an http:// or https:// URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`${what} must be an http:// or https:// URL, got ${JSON.stringify(text)}`);
  return url;
}

/**
 * GET without connection pooling (`agent: false`): a camera stream holds its socket for hours,
 * and stop() must leave no keep-alive socket behind. Credentials in the URL become Basic auth.
 */
export function get(url: URL, accept: string, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const options: http.RequestOptions = {
    agent: false,
    headers: { Accept: accept, 'User-Agent': 'node-red-contrib-mobilenet-mqtt' },
  };
  return url.protocol === 'https:' ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
}

/** Destroys the request and waits until its socket is really closed. */
export async function destroyRequest(req: http.ClientRequest): Promise<void> {
  if (req.closed) return;
  const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
  req.destroy();
  await closed;
}
