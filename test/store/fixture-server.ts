import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** What the server does wrong for one path, to exercise the downloader's failure handling. */
export type Fault =
  | { kind: 'destroy-after'; bytes: number } // full Content-Length, then the socket dies
  | { kind: 'flip-byte'; offset: number } // same size, one byte changed
  | { kind: 'truncate'; bytes: number } // a shorter body sent as if it were the whole file
  | { kind: 'stall' } // headers, then silence
  | { kind: 'status'; code: number }
  // no Content-Length, zeros without end (stops at `cap`, a safety net for the test machine)
  | { kind: 'endless'; cap: number }
  | { kind: 'announce'; length: number } // a Content-Length far beyond the file, then the file
  | { kind: 'trickle'; intervalMs: number } // the file's Content-Length, then one byte per interval
  | { kind: 'drip-forever'; intervalMs: number; bytes: number } // no Content-Length, `bytes` per interval without end
  | { kind: 'paced'; intervalMs: number; bytes: number } // the file's Content-Length, then `bytes` per interval
  | { kind: 'no-response' } // the request is read, no headers ever come
  | { kind: 'encoded'; encoding: string; body: Buffer } // this body, with this Content-Encoding, no Content-Length
  | { kind: 'redirect-to'; location: string }; // 302 to any URL (another server, another scheme)

export interface FixtureServer {
  /** http://127.0.0.1:PORT */
  base: string;
  /** Every request's path and query, in order. */
  requests: string[];
  /** Faults by request path (without query); edit between fetches. */
  faults: Map<string, Fault>;
  /** Body bytes written per request path by the endless/trickle/drip faults: how far the client let it go. */
  sent: Map<string, number>;
  close(): Promise<void>;
}

export interface FixtureServerOptions {
  /** Serve https with this key and certificate instead of http. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Writes a fault's body slowly or without end; every timer stops when the client goes away. */
function streamFault(
  fault: Fault,
  res: http.ServerResponse,
  body: Buffer,
  record: (bytes: number) => void,
  timers: Set<NodeJS.Timeout>,
): boolean {
  if (fault.kind === 'endless') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const pump = (): void => {
      while (sent < fault.cap && !res.destroyed) {
        sent += chunk.length;
        record(sent);
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
    return true;
  }
  if (fault.kind === 'trickle' || fault.kind === 'drip-forever' || fault.kind === 'paced') {
    const each = fault.kind === 'trickle' ? 1 : fault.bytes;
    const whole = fault.kind !== 'drip-forever';
    res.writeHead(200, whole ? { 'content-length': body.length } : { 'content-type': 'application/octet-stream' });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || (whole && sent >= body.length)) {
        clearInterval(timer);
        timers.delete(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(whole ? body.subarray(sent, sent + each) : Buffer.alloc(each));
      sent += whole ? Math.min(each, body.length - sent) : each;
      record(sent);
    }, fault.intervalMs);
    timers.add(timer);
    return true;
  }
  return false;
}

/**
 * Serves files under `root` at /files/..., and redirects /redirect/<n>/<rest> through n hops
 * (301, 302, 307, ...) to /files/<rest>, keeping the query, the way TF Hub sends clients to GCS.
 */
export async function startFixtureServer(root: string, options: FixtureServerOptions = {}): Promise<FixtureServer> {
  const requests: string[] = [];
  const faults = new Map<string, Fault>();
  const sent = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<import('node:net').Socket>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname + url.search);
    const early = faults.get(url.pathname);
    if (early?.kind === 'no-response') return;
    if (early?.kind === 'redirect-to') {
      res.writeHead(302, { location: early.location }).end();
      return;
    }
    if (early?.kind === 'encoded') {
      res.writeHead(200, { 'content-encoding': early.encoding, 'content-type': 'application/json' });
      res.end(early.body);
      return;
    }
    const redirect = /^\/redirect\/(\d+)\/(.*)$/.exec(url.pathname);
    if (redirect) {
      const hops = Number(redirect[1]);
      const codes = [301, 302, 307, 308];
      const next = hops > 1 ? `/redirect/${hops - 1}/${redirect[2]}` : `/files/${redirect[2]}`;
      res.writeHead(codes[hops % codes.length], { location: next + url.search });
      res.end();
      return;
    }
    const fault = faults.get(url.pathname);
    if (fault?.kind === 'status') {
      res.writeHead(fault.code, { 'content-type': 'text/plain' });
      res.end(`status ${fault.code}\n`);
      return;
    }
    if (!url.pathname.startsWith('/files/')) {
      res.writeHead(404).end('not found\n');
      return;
    }
    const file = path.join(root, decodeURIComponent(url.pathname.slice('/files/'.length)));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let body = fs.readFileSync(file);
    if (fault && streamFault(fault, res, body, (bytes) => sent.set(url.pathname, bytes), timers)) return;
    if (fault?.kind === 'announce') {
      res.writeHead(200, { 'content-length': fault.length, 'content-type': 'application/octet-stream' });
      res.write(body);
      return;
    }
    if (fault?.kind === 'stall') {
      res.writeHead(200, { 'content-length': body.length });
      res.flushHeaders();
      return;
    }
    if (fault?.kind === 'flip-byte') {
      body = Buffer.from(body);
      body[fault.offset] ^= 0xff;
    }
    if (fault?.kind === 'truncate') body = body.subarray(0, fault.bytes);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    if (fault?.kind === 'destroy-after') {
      res.write(body.subarray(0, fault.bytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : http.createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    faults,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
