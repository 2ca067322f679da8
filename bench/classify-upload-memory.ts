/**
 * Memory of `npm start` while POST /classify receives huge uploads: starts dist/app/start.js,
 * sends N concurrent multipart uploads of M MB each (chunked, generated on the fly, so the server
 * cannot refuse them by Content-Length), samples the server's RSS every 20 ms, prints one JSON line.
 *
 *   node dist/bench/classify-upload-memory.js [--uploads 3] [--mb 300] [--raw]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';

const MiB = 1024 * 1024;
const REPO = path.resolve(__dirname, '..', '..');
const FIXTURES = path.resolve(process.env.MOBILENET_FIXTURES ?? path.join(REPO, '..', 'shared'));

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}

function upload(port: number, bytes: number, multipart: boolean): Promise<number | string> {
  const boundary = 'bench-boundary';
  const chunk = Buffer.alloc(MiB);
  const body = Readable.from(
    (function* () {
      if (multipart)
        yield Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="huge.jpg"\r\nContent-Type: ` +
            `image/jpeg\r\n\r\n`,
        );
      for (let sent = 0; sent < bytes; sent += MiB) yield chunk;
      if (multipart) yield Buffer.from(`\r\n--${boundary}--\r\n`);
    })(),
  );
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/classify',
        headers: {
          'content-type': multipart ? `multipart/form-data; boundary=${boundary}` : 'image/jpeg',
          'transfer-encoding': 'chunked',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error) => resolve(error.message));
    req.on('close', () => body.destroy());
    body.on('error', () => undefined);
    body.pipe(req);
  });
}

async function main(): Promise<void> {
  const uploads = option('uploads', 3);
  const mb = option('mb', 300);
  const multipart = !process.argv.includes('--raw');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-upload-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'app', 'start.js')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MOBILENET_MODEL: path.join(FIXTURES, 'models', 'mobilenet_v1_0.25_224_tfjs_layers'),
      FRAMES_DIR: path.join(work, 'frames'),
      PORT: String(port),
      BROKER_PORT: String(await freePort()),
      NODE_RED_USER_DIR: path.join(work, 'node-red'),
      MOBILENET_CACHE: path.join(work, 'cache'),
      CLASSIFY_MAX_CONCURRENT: String(Math.max(uploads, 4)),
    },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (!/ready on/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the app did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pid = child.pid as number;
    const before = rss(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: uploads }, () => upload(port, mb * MiB, multipart)));
    const seconds = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    clearInterval(sampler);
    const after = rss(pid);
    console.log(
      JSON.stringify({
        uploads,
        mbEach: mb,
        multipart,
        statuses,
        seconds,
        rssBeforeMiB: Math.round(before / MiB),
        rssPeakMiB: Math.round(peak / MiB),
        rssAfter5sMiB: Math.round(after / MiB),
      }),
    );
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
