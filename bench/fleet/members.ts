import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** One `npm start` pool member process (node dist/app/start.js, as systemd runs it). */
export interface Member {
  child: ChildProcess;
  userDir: string;
  /** Its name (the member-id file in its user directory): its client id, stats and availability topics. */
  id: string;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a power cut or the OOM killer would: no goodbye, no acknowledgement. */
  kill(): Promise<void>;
}

export interface MemberOptions {
  url: string;
  prefix: string;
  /** The shared subscription, e.g. `$share/classifiers/<prefix>/+/frame`. */
  topic: string;
  model: string;
  /** A user directory to (re)use: a restarted member keeps its id and its broker session. */
  userDir?: string;
  receiveMaximum?: number;
  maxAgeMs?: number;
  /** FRAMES_STEP_BACK_MS (0 = never, the default). */
  stepBackMs?: number;
  /** Seconds between two stats messages. */
  statsInterval?: number;
  cacheDir?: string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a member and resolves once its model is loaded and it takes frames. */
export async function startMember(options: MemberOptions, timeoutMs = 120_000): Promise<Member> {
  const userDir = options.userDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-member-'));
  let output = '';
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'app', 'start.js')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MOBILENET_MODEL: options.model,
      MQTT_URL: options.url,
      MQTT_PREFIX: options.prefix,
      FRAMES_TOPIC: options.topic,
      FRAMES_RECEIVE_MAXIMUM: String(options.receiveMaximum ?? 4),
      FRAMES_MAX_AGE_MS: String(options.maxAgeMs ?? 10_000),
      FRAMES_STEP_BACK_MS: String(options.stepBackMs ?? 0),
      STATS_INTERVAL: String(options.statsInterval ?? 5),
      HEADLESS: '1',
      PORT: String(await freePort()),
      NODE_RED_USER_DIR: userDir,
      MOBILENET_CACHE: options.cacheDir ?? path.join(userDir, 'cache'),
      FRAMES_DIR: path.join(userDir, 'frames'),
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  // The model loaded (so the first frames are not waiting for it) and the intake subscribed.
  while (!(/model .* ready on/.test(output) && /taking frames from/.test(output))) {
    if (child.exitCode !== null) throw new Error(`member exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`member not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const id = fs.readFileSync(path.join(userDir, 'member-id'), 'utf8').trim();
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
      await exited;
    }
  };
  return { child, userDir, id, output: () => output, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
