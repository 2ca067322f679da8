import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** ESP32-CAM's boundary and part layout (its CameraWebServer example), byte for byte. */
export const ESP32_BOUNDARY = '123456789000000000000987654321';

export interface MjpegServerOptions {
  frames: Buffer[];
  intervalMs: number;
  /** Send Content-Length in each part (ESP32-CAM does); without it clients must find JPEG markers. */
  contentLength: boolean;
  /** End the response after this many frames (a camera dropping the stream). */
  endAfter?: number;
  /** Answer this status for the first N requests. */
  failFirst?: { count: number; status: number };
}

export interface TestServer {
  url: string;
  requests: number;
  /** Frames written so far, across connections, in order. */
  sent: Buffer[];
  close(): Promise<void>;
}

/** An MJPEG (multipart/x-mixed-replace) camera on 127.0.0.1, as ESP32-CAM serves it. */
export async function startMjpegServer(options: MjpegServerOptions): Promise<TestServer> {
  const state = { requests: 0, sent: [] as Buffer[] };
  const server = http.createServer((_req, res) => {
    state.requests++;
    if (options.failFirst && state.requests <= options.failFirst.count) {
      res.writeHead(options.failFirst.status, { 'Content-Type': 'text/plain' });
      res.end('camera busy');
      return;
    }
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace;boundary=${ESP32_BOUNDARY}`,
      'Access-Control-Allow-Origin': '*',
    });
    let n = 0;
    const timer = setInterval(() => {
      const jpeg = options.frames[n % options.frames.length]!;
      const headers = options.contentLength
        ? `Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`
        : 'Content-Type: image/jpeg\r\n\r\n';
      res.write(`\r\n--${ESP32_BOUNDARY}\r\n`);
      res.write(headers);
      res.write(jpeg);
      state.sent.push(jpeg);
      n++;
      if (options.endAfter !== undefined && n >= options.endAfter) {
        clearInterval(timer);
        res.end();
      }
    }, options.intervalMs);
    res.on('close', () => clearInterval(timer));
  });
  return listen(server, state);
}

/** A still-image endpoint: each GET returns the next frame. */
export async function startSnapshotServer(
  frames: Buffer[],
  failFirst?: { count: number; status: number; body?: string; type?: string },
): Promise<TestServer> {
  const state = { requests: 0, sent: [] as Buffer[] };
  const server = http.createServer((_req, res) => {
    state.requests++;
    if (failFirst && state.requests <= failFirst.count) {
      res.writeHead(failFirst.status, { 'Content-Type': failFirst.type ?? 'text/plain' });
      res.end(failFirst.body ?? 'error');
      return;
    }
    const jpeg = frames[state.sent.length % frames.length]!;
    state.sent.push(jpeg);
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length });
    res.end(jpeg);
  });
  return listen(server, state);
}

async function listen(server: http.Server, state: { requests: number; sent: Buffer[] }): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stream`,
    get requests() {
      return state.requests;
    },
    sent: state.sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
