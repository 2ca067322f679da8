import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** What the server does wrong for one path, to exercise the downloader's failure handling. */
export type Fault =
  | { kind: 'destroy-after'; bytes: number } // full Content-Length, then the socket dies
  | { kind: 'flip-byte'; offset: number } // same size, one byte changed
  | { kind: 'truncate'; bytes: number } // a shorter body sent as if it were the whole file
  | { kind: 'stall' } // headers, then silence
  | { kind: 'status'; code: number };

export interface FixtureServer {
  /** http://127.0.0.1:PORT */
  base: string;
  /** Every request's path and query, in order. */
  requests: string[];
  /** Faults by request path (without query); edit between fetches. */
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

/**
 * Serves files under `root` at /files/..., and redirects /redirect/<n>/<rest> through n hops
 * (301, 302, 307, ...) to /files/<rest>, keeping the query, the way TF Hub sends clients to GCS.
 */
export async function startFixtureServer(root: string): Promise<FixtureServer> {
  const requests: string[] = [];
  const faults = new Map<string, Fault>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url.pathname + url.search);
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
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
