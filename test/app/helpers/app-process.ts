import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { V1_025_LAYERS_DIR } from '../../fixtures';
import { freePort } from '../../mqtt/helpers/brokers';
import { waitFor } from '../../helpers';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

export interface AppProcess {
  child: ChildProcess;
  /** The node process itself (no npm in between), for /proc readings. */
  pid: number;
  port: number;
  userDir: string;
  output(): string;
  /** Resolves once the output matches, or rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /**
   * SIGTERM, then SIGKILL if it is still running after 6 s; removes the work directory unless the user dir was given.
   */
  stop(): Promise<void>;
}

/**
 * What every end-to-end start of the app runs with, over this process's environment: the fixture V1 0.25
 * model, a folder source, the MQTT prefix `e2e`, its own HTTP and broker ports, and its Node-RED user
 * directory and model cache inside `work`. Callers add or override variables after it.
 */
export function testAppEnv(work: string, port: number, brokerPort: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MOBILENET_MODEL: V1_025_LAYERS_DIR,
    FRAMES_DIR: path.join(work, 'frames'),
    PORT: String(port),
    BROKER_PORT: String(brokerPort),
    MQTT_PREFIX: 'e2e',
    NODE_RED_USER_DIR: path.join(work, 'node-red'),
    MOBILENET_CACHE: path.join(work, 'cache'),
  };
}

/**
 * Runs `node dist/app/start.js` (what the systemd unit runs) with the local V1 0.25 model, a
 * folder source, free ports and its own directories; resolves once the HTTP server listens.
 */
export async function startApp(env: Record<string, string> = {}): Promise<AppProcess> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-app-'));
  const port = await freePort();
  const userDir = env.NODE_RED_USER_DIR ?? path.join(work, 'node-red');
  let output = '';
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'app', 'start.js')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...testAppEnv(work, port, await freePort()), NODE_RED_USER_DIR: userDir, ...env },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitForOutput = async (pattern: RegExp, timeoutMs: number): Promise<void> => {
    await waitFor(
      () => {
        if (pattern.test(output)) return true;
        if (child.exitCode !== null)
          throw new Error(`the app exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
        return false;
      },
      { what: () => `the app to print ${pattern}:\n${output}`, timeoutMs },
    );
  };
  const app: AppProcess = {
    child,
    pid: child.pid as number,
    port,
    userDir,
    output: () => output,
    waitForOutput,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const overdue = setTimeout(() => child.kill('SIGKILL'), 6000);
        await exited;
        clearTimeout(overdue);
      }
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
  try {
    await waitForOutput(/POST http/, 60_000);
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request with exactly the given headers (Host and Origin included, as a browser or a
 * DNS-rebinding page sends them); `fetch` would not let a test set them.
 */
export function rawRequest(
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string | Readable },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      // A streamed body: the server may answer (and close) before it is all sent.
      body.on('error', () => undefined);
      req.on('close', () => body.destroy());
      body.pipe(req);
    }
  });
}

/** Whether any process of the process group `pgid` (a detached child and what it started) still runs. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resident memory of a process, from /proc (bytes). */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
