import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const BOUNDARY = 'soakframeboundary';

export interface PacedMjpegServer {
  url: string;
  /** Frames written to the stream so far. */
  readonly sent: number;
  /** Stream connections the camera opened (more than one means it reconnected). */
  readonly connections: number;
  /** Writes frames while fewer than `window` are unsettled and fewer than `total` were sent. */
  pump(): void;
  close(): Promise<void>;
}

export interface PacedMjpegOptions {
  jpegs: Buffer[];
  total: number;
  /** Frames written but not yet settled (published, dropped or failed) at most at any time. */
  window: number;
  /** How many frames have left the pipeline so far, whatever became of them. */
  settled(): number;
}

/**
 * An MJPEG camera that sends as fast as the pipeline keeps up and no faster: it writes the next
 * frame only while fewer than `window` are still somewhere between the socket and the broker.
 * So the soak runs at the classifier's own speed with a bounded backlog, and any frame that never
 * settles shows up as lost instead of hiding behind a queue that grows.
 */
export async function startPacedMjpegServer(options: PacedMjpegOptions): Promise<PacedMjpegServer> {
  let sent = 0;
  let connections = 0;
  let stream: http.ServerResponse | undefined;
  const server = http.createServer((_req, res) => {
    connections++;
    res.writeHead(200, {
      'Content-Type': `multipart/x-mixed-replace;boundary=${BOUNDARY}`,
      'Cache-Control': 'no-cache',
    });
    stream = res;
    res.on('close', () => {
      if (stream === res) stream = undefined;
    });
    pump();
  });
  function pump(): void {
    const res = stream;
    if (!res) return;
    while (sent < options.total && sent - options.settled() < options.window) {
      const jpeg = options.jpegs[sent % options.jpegs.length]!;
      res.write(`\r\n--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      sent++;
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stream`,
    get sent() {
      return sent;
    },
    get connections() {
      return connections;
    },
    pump,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
