import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR, imagePath } from '../fixtures';
import { MOSQUITTO_MISSING } from '../mqtt/helpers/test-broker';
import { freePort, startMosquitto, type MosquittoBroker } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { waitFor } from '../helpers';
import { groupAlive } from '../app/helpers/app-process';

const START = path.resolve(__dirname, '..', '..', 'app', 'start.js');
const FFMPEG = '/usr/bin/ffmpeg';

interface MainJob {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; at: number }>;
  cleanup(): void;
}

/** `node dist/app/start.js` (what npm start runs) in its own process group, as systemd runs it. */
async function startMainJob(env: Record<string, string>): Promise<MainJob> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-sigterm-'));
  let output = '';
  const child = spawn(process.execPath, [START], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MOBILENET_MODEL: V1_025_LAYERS_DIR,
      PORT: String(await freePort()),
      BROKER_PORT: String(await freePort()),
      MQTT_PREFIX: 'sigterm',
      NODE_RED_USER_DIR: path.join(work, 'node-red'),
      MOBILENET_CACHE: path.join(work, 'cache'),
      HEADLESS: '1',
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  await waitFor(() => /POST http/.test(output) || child.exitCode !== null, {
    what: () => `the main job to come up:\n${output}`,
    timeoutMs: 60000,
  });
  if (child.exitCode !== null) throw new Error(`the main job exited early:\n${output}`);
  return {
    child,
    output: () => output,
    exited,
    cleanup() {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** ffmpeg looping a real photo as a 10 fps MJPEG camera, as CAMERA_CMD runs it. */
const CAMERA_CMD =
  `${FFMPEG} -hide_banner -loglevel error -re -loop 1 -i ${imagePath('parrot.jpg')} -vf ` +
  `scale=320:-2 -r 10 -f mjpeg -`;

/**
 * SIGTERM to the main job while a camera streams frames into it (frames in the classifier's queue,
 * labels on their way). The shutdown the README promises: the camera child is stopped, "offline"
 * goes out last, and the whole process group is gone within the shutdown limit. (That POST
 * /classify requests in flight are answered and published is test/app/start.test.ts.) With the
 * broker frozen the job cannot say goodbye, but it must still exit within that limit rather than
 * hang a systemd stop.
 */
describe('faults: SIGTERM to the main job with camera frames in flight', function () {
  this.timeout(120000);
  let mosquitto: MosquittoBroker | undefined;
  let job: MainJob | undefined;
  let sub: RecordingSubscriber | undefined;

  beforeEach(async function () {
    if (MOSQUITTO_MISSING || !fs.existsSync(FFMPEG)) return this.skip();
    mosquitto = await startMosquitto();
    sub = await RecordingSubscriber.connect(mosquitto.url, ['sigterm/#']);
  });

  afterEach(async () => {
    job?.cleanup();
    job = undefined;
    await sub?.close();
    sub = undefined;
    await mosquitto?.dispose();
    mosquitto = undefined;
  });

  it(
    'stops the camera child, publishes nothing after offline, and exits 0 within the limit with nothing left ' +
      'behind',
    async () => {
      job = await startMainJob({ CAMERA_CMD, MAX_FPS: '10', MQTT_URL: mosquitto!.url });
      const s = sub!;
      await s.waitFor((m) => m.filter((x) => x.topic === 'sigterm/camera/labels').length >= 5, {
        what: 'labels of camera frames',
        timeoutMs: 60000,
      });
      const pgid = job.child.pid as number;
      // Availability follows the model, so an `offline` from before it loaded may precede this point.
      const beforeSignal = s.messages.length;
      const signalled = Date.now();
      process.kill(-pgid, 'SIGTERM');
      const { code, at } = await job.exited;
      assert.equal(code, 0, job.output());
      assert.ok(at - signalled < 5000, `exit took ${at - signalled} ms`);
      assert.match(job.output(), /stopped cleanly; exiting with code 0/);
      await waitFor(() => !groupAlive(pgid), {
        what: 'the process group (ffmpeg included) to be gone',
        timeoutMs: 3000,
      });
      const isOffline = (x: { topic: string; payload: unknown }, i: number): boolean =>
        i >= beforeSignal && x.topic === 'sigterm/available' && x.payload === 'offline';
      await s.waitFor((m) => m.some(isOffline), {
        what: 'offline',
        timeoutMs: 5000,
      });
      const topics = s.messages.map((x) => x.topic);
      const offlineAt = s.messages.findIndex(isOffline);
      assert.ok(topics.lastIndexOf('sigterm/camera/labels') < offlineAt, 'no labels after offline');
      // Dropped frames are logged (drop-oldest at work while the model loads); nothing else may be.
      const problems = job
        .output()
        .split('\n')
        .filter(
          (l) =>
            /error|uncaught|unhandled|cannot/i.test(l) &&
            !/Frame dropped: evicted by a newer frame|^\[mobilenet\] source: /.test(l),
        );
      assert.deepEqual(problems, [], job.output());
    },
  );

  it('with the broker frozen (SIGSTOP), still exits within the shutdown limit and says why', async () => {
    job = await startMainJob({ CAMERA_CMD, MAX_FPS: '10', MQTT_URL: mosquitto!.url });
    await sub!.waitFor((m) => m.some((x) => x.topic === 'sigterm/camera/labels'), {
      what: 'labels of camera frames',
      timeoutMs: 60000,
    });
    mosquitto!.signal('SIGSTOP');
    const pgid = job.child.pid as number;
    const signalled = Date.now();
    process.kill(-pgid, 'SIGTERM');
    const { code, at } = await job.exited;
    // 4.5 s is the job's own limit; a little more for the process to go.
    assert.ok(at - signalled < 6000, `exit took ${at - signalled} ms:\n${job.output()}`);
    await waitFor(() => !groupAlive(pgid), { what: 'the process group (ffmpeg included) to be gone', timeoutMs: 3000 });
    // Either the goodbye was given up in time (exit 0) or the limit ended it, saying so (exit 1).
    if (code !== 0) assert.match(job.output(), /shutdown took longer than \d+ ms; exiting with code 1/, job.output());
    mosquitto!.signal('SIGCONT');
  });
});
