import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../../helpers';
type AedesOptions = import('aedes', { with: { 'resolution-mode': 'import' }}).AedesOptions;

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) =>
  fs.existsSync(p),
);
export const MOSQUITTO_PASSWD = ['/usr/bin/mosquitto_passwd', '/usr/local/bin/mosquitto_passwd'].find((p) =>
  fs.existsSync(p),
);

// Ports handed out in this process: the kernel may offer a port it just freed again, and two calls in a row (PORT and
// BROKER_PORT of one app) then collide ("Port … is in use" at start-up, seen once in a full run).
const handedOut = new Set<number>();

/** A port that was free a moment ago on 127.0.0.1, and not handed out before in this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

export interface AedesBroker {
  url: string;
  port: number;
  /** Makes the broker unreachable: closes the listener and cuts every connection (sessions kept). */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** aedes in-process on a loopback port (aedes is ESM, hence the dynamic import). */
export async function startAedes(options: AedesOptions = {}): Promise<AedesBroker> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker(options);
  const sockets = new Set<net.Socket>();
  let server = makeServer();
  function makeServer(): net.Server {
    const s = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      broker.handle(socket);
    });
    return s;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const closeServer = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    cut: closeServer,
    async resume() {
      server = makeServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
    },
    async stop() {
      if (server.listening) await closeServer();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

export interface MosquittoOptions {
  /** Extra config lines (listener options such as cafile go here). */
  listenerLines?: string[];
  users?: Record<string, string>;
  /** Keep sessions on disk across restarts, as a production broker does. */
  persistence?: boolean;
  port?: number;
}

export interface MosquittoBroker {
  url: string;
  port: number;
  dir: string;
  /** Every line mosquitto wrote (its log goes to stderr). */
  log(): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Sends a signal to the running broker process (SIGKILL: killed, SIGSTOP/SIGCONT: frozen, thawed). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the broker and removes its temp dir. */
  dispose(): Promise<void>;
}

/** Mosquitto 2 with a config written for the test, on a free loopback port. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  if (!MOSQUITTO) throw new Error('mosquitto binary not found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosq-'));
  const port = options.port ?? (await freePort());
  const lines = [`listener ${port} 127.0.0.1`, ...(options.listenerLines ?? [])];
  if (options.users) {
    if (!MOSQUITTO_PASSWD) throw new Error('mosquitto_passwd binary not found');
    const passwordFile = path.join(dir, 'passwd');
    fs.writeFileSync(passwordFile, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(options.users))
      execFileSync(MOSQUITTO_PASSWD, ['-b', passwordFile, user, password]);
    lines.push(`password_file ${passwordFile}`, 'allow_anonymous false');
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.persistence) lines.push('persistence true', `persistence_location ${dir}/`);
  // Mosquitto drops root privileges to user "mosquitto", which cannot read our temp dir.
  if (process.getuid && process.getuid() === 0) lines.push('user root');
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    child = spawn(MOSQUITTO, ['-c', conf, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitForPort(port, 5000, () => output);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    // A broker killed by a signal has no exit code, only a signal code: it is gone all the same.
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    log: () => output,
    stop,
    start,
    signal(signal) {
      if (!child || child.exitCode !== null || child.signalCode !== null)
        throw new Error(`mosquitto is not running; cannot send ${signal}`);
      child.kill(signal);
    },
    async dispose() {
      // A frozen broker would never act on the SIGTERM of stop().
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether something accepts a TCP connection on the loopback port now. */
function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function waitForPort(port: number, timeoutMs: number, log: () => string): Promise<boolean> {
  return waitFor(() => listening(port), { what: () => `mosquitto to listen on ${port}:\n${log()}`, timeoutMs });
}
