import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { waitFor } from '../helpers';
import { testAppEnv } from './helpers/app-process';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** The pids in process group `pgid` whose command line contains `needle` (from /proc). */
function groupMembers(pgid: number, needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      // The program's own first argument, not a shell whose command line mentions it.
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[1]?.endsWith(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start killed by its pid (npm does not forward SIGTERM)', function () {
  this.timeout(180_000);

  it('the job notices its parent is gone, publishes offline, frees its ports and exits 0', async function () {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-npm-parent-'));
    const port = await freePort();
    const brokerPort = await freePort();
    let output = '';
    // A real npm, in its own process group as a terminal runs it: npm → sh → node dist/app/start.js.
    const npm = spawn('npm', ['start'], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: testAppEnv(work, port, brokerPort),
    });
    npm.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const pgid = npm.pid as number;
    let subscriber: RecordingSubscriber | undefined;
    try {
      await waitFor(() => /POST http/.test(output), { what: () => `npm start up:\n${output}`, timeoutMs: 90_000 });
      subscriber = await RecordingSubscriber.connect(`mqtt://127.0.0.1:${brokerPort}`, ['e2e/available']);
      const mqtt = subscriber;
      await mqtt.waitFor((m) => m.some((x) => x.payload === 'online'), { what: 'online', timeoutMs: 30_000 });
      const [job] = groupMembers(pgid, 'dist/app/start.js');
      assert.ok(job, "the node process of the job runs in npm start's group");

      // Only npm gets the signal, as `kill <npm's pid>` in another terminal does.
      const from = mqtt.messages.length;
      process.kill(npm.pid as number, 'SIGTERM');
      await mqtt.waitFor((m) => m.slice(from).some((x) => x.payload === 'offline'), {
        what: () => `e2e/available offline after npm was killed:\n${output}`,
        timeoutMs: 15_000,
      });
      await waitFor(() => !alive(job), { what: () => `the job to exit:\n${output}`, timeoutMs: 15_000 });
      assert.equal(await listening(port), false, 'the HTTP port is free');
      assert.equal(await listening(brokerPort), false, 'the embedded broker port is free');
      assert.match(output, /the parent process \(pid \d+\) is gone: stopping/);
      assert.match(output, /stopped cleanly; exiting with code 0/);
    } finally {
      await subscriber?.client.endAsync(true).catch(() => undefined);
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
