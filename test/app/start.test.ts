import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { V1_025_LAYERS_DIR, imagePath, readImage } from '../fixtures';
import { MOSQUITTO, freePort, startAedes, startMosquitto, type MosquittoBroker } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { waitFor } from '../helpers';
import { NODE_RED_DIR } from '../helpers/node-red-dir';
import { groupAlive, testAppEnv } from './helpers/app-process';

const REPO = path.resolve(__dirname, '..', '..', '..');
/** The Node-RED `npm start` runs: NODE_RED_RUNTIME passes through to it (npm test's Node-RED 5 pass sets it). */
const NODE_RED_VERSION = (
  JSON.parse(fs.readFileSync(path.join(NODE_RED_DIR, 'package.json'), 'utf8')) as { version: string }
).version;

interface Started {
  child: ChildProcess;
  output(): string;
  port: number;
  brokerUrl: string;
  framesDir: string;
  cleanup(): void;
}

/** Spawns `npm start` in its own process group, as a terminal or systemd would run it. */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-e2e-'));
  const framesDir = path.join(work, 'frames');
  const port = await freePort();
  const brokerPort = await freePort();
  let output = '';
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...testAppEnv(work, port, brokerPort), ...env },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const started = Date.now();
  while (!/POST http/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early (${child.exitCode}):\n${output}`);
    if (Date.now() - started > 60_000) throw new Error(`npm start did not come up in 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    port,
    brokerUrl: env.MQTT_URL ?? `mqtt://127.0.0.1:${brokerPort}`,
    framesDir,
    cleanup: () => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

async function runScenario(env: Record<string, string>, setup?: () => Promise<void>): Promise<void> {
  await setup?.();
  const app = await npmStart(env);
  const subscriber = await RecordingSubscriber.connect(app.brokerUrl, ['e2e/#']);
  try {
    await subscriber.waitFor((m) => m.some((x) => x.topic === 'e2e/available' && x.payload === 'online'), {
      what: 'e2e/available online',
      timeoutMs: 30_000,
    });

    fs.copyFileSync(imagePath('parrot.jpg'), path.join(app.framesDir, 'parrot.jpg'));
    await subscriber.waitFor((m) => m.some((x) => x.topic === 'e2e/frames/label'), {
      what: 'e2e/frames/label',
      timeoutMs: 60_000,
    });
    assert.equal(subscriber.on('e2e/frames/label').at(-1)?.payload, 'macaw', app.output());

    const answer = await fetch(`http://127.0.0.1:${app.port}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: readImage('coffee.png'),
    });
    assert.equal(answer.status, 200);
    const json = (await answer.json()) as {
      top: { label: string };
      predictions: Array<{ label: string; score: number }>;
    };
    assert.equal(json.top.label, 'espresso');
    assert.ok(json.predictions.length >= 1);

    const form = new FormData();
    form.append('image', new Blob([readImage('parrot.jpg')], { type: 'image/jpeg' }), 'parrot.jpg');
    const multipart = await fetch(`http://127.0.0.1:${app.port}/classify`, { method: 'POST', body: form });
    assert.equal(((await multipart.json()) as { top: { label: string } }).top.label, 'macaw');
    await subscriber.waitFor((m) => m.some((x) => x.topic === 'e2e/http/label'), {
      what: 'e2e/http/label',
      timeoutMs: 10_000,
    });

    const bad = await fetch(`http://127.0.0.1:${app.port}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'image/bmp' },
      body: readImage('dragonfly.bmp'),
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /BMP/);

    // SIGTERM to the whole process group, as systemd and a terminal's Ctrl-C do.
    const pgid = app.child.pid as number;
    const offlineFrom = subscriber.messages.length;
    const signalled = Date.now();
    process.kill(-pgid, 'SIGTERM');
    await subscriber.waitFor(
      (m) => m.slice(offlineFrom).some((x) => x.topic === 'e2e/available' && x.payload === 'offline'),
      { what: 'e2e/available offline', timeoutMs: 5000 },
    );
    await waitFor(() => !groupAlive(pgid), {
      what: () => `the process group gone within 5 s of SIGTERM:\n${app.output()}`,
      timeoutMs: Math.max(0, signalled + 5000 - Date.now()),
    });
    assert.match(app.output(), /stopped cleanly; exiting with code 0/);
    assert.match(
      app.output(),
      /model .* ready on .+ \(loaded in \d+ ms\)/,
      'a stage line reports the model load with backend and time',
    );
    assert.ok(
      app.output().includes(`node-red ${NODE_RED_VERSION} on Node.js ${process.versions.node}, `),
      `the job ran Node-RED ${NODE_RED_VERSION} on this Node.js (${process.version}):\n${app.output()}`,
    );
  } finally {
    await subscriber.client.endAsync(true).catch(() => undefined);
    app.cleanup();
  }
}

describe('npm start (the main job), end to end', function () {
  this.timeout(180_000);

  it('MOBILENET_WORKERS=2: uneven camera frames published in frame order, each with its label', async function () {
    // A camera alternating a large frame (slow to decode) and a small one: the small one reaches the
    // second worker first and is done first, so only holding it keeps the labels in frame order.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-e2e-camera-'));
    const large = await sharp(readImage('parrot.jpg'))
      .resize(2400, 1800, { fit: 'fill' })
      .jpeg({ quality: 95 })
      .toBuffer();
    const small = await sharp(readImage('coffee.png')).resize(320, 240, { fit: 'fill' }).jpeg().toBuffer();
    fs.writeFileSync(path.join(dir, 'large.jpg'), large);
    fs.writeFileSync(path.join(dir, 'small.jpg'), small);
    const camera = path.join(dir, 'camera.js');
    fs.writeFileSync(
      camera,
      `const fs = require('fs'); const frames = [fs.readFileSync(${JSON.stringify(path.join(dir, 'large.jpg'))}),
       fs.readFileSync(${JSON.stringify(path.join(dir, 'small.jpg'))})]; let n = 0;
       setInterval(() => process.stdout.write(frames[n++ % 2]), 60);`,
    );
    const app = await npmStart({
      MOBILENET_WORKERS: '2',
      MAX_FPS: '0',
      CAMERA_CMD: `${process.execPath} ${camera}`,
    });
    const subscriber = await RecordingSubscriber.connect(app.brokerUrl, ['e2e/camera/labels']);
    try {
      await subscriber.waitFor((m) => m.length >= 30, { what: '30 labels from the camera', timeoutMs: 120_000 });
      const published = subscriber
        .fresh('e2e/camera/labels')
        .map((p) => JSON.parse(p) as { seq: number; predictions: Array<{ label: string }> });
      const seqs = published.map((p) => p.seq);
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `frame order: ${seqs.join(' ')}`);
      // The camera counts every frame it makes, so a frame's number says which picture it was.
      const parity = published[0].seq % 2;
      const firstLabel = published[0].predictions[0].label;
      const otherLabel = firstLabel === 'macaw' ? 'espresso' : 'macaw';
      for (const frame of published) {
        const label = frame.predictions[0].label.split(',')[0];
        assert.equal(label, frame.seq % 2 === parity ? firstLabel : otherLabel, `frame ${frame.seq}`);
      }
      assert.match(app.output(), /model .* ready/);
    } finally {
      await subscriber.client.endAsync(true).catch(() => undefined);
      app.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'embedded broker: online, a dropped photo becomes a label, POST /classify answers, SIGTERM publishes offline ' +
      'and exits 0',
    async function () {
      await runScenario({});
    },
  );

  it('never prints a camera password that CAMERA_CMD carries in a URL', async function () {
    // An RTSP camera as the README shows it, with its login in the URL; the program fails at once,
    // so the job also reports the camera's error: neither line may show the password.
    const app = await npmStart({
      CAMERA_CMD: '/bin/false -rtsp_transport tcp -i rtsp://admin:hunter2-cam@192.0.2.7:554/stream1 -f mjpeg -',
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.match(app.output(), /source: camera command "\/bin\/false .*rtsp:\/\/\*\*\*@192\.0\.2\.7/, app.output());
      assert.ok(!app.output().includes('hunter2-cam'), `the camera password was printed:\n${app.output()}`);
    } finally {
      app.cleanup();
    }
  });

  it(
    'on SIGTERM lets the frames in flight finish: every POST /classify already accepted gets its answer, and its ' +
      'labels are published',
    async function () {
      const app = await npmStart({});
      const subscriber = await RecordingSubscriber.connect(app.brokerUrl, ['e2e/#']);
      try {
        await subscriber.waitFor((m) => m.some((x) => x.topic === 'e2e/available' && x.payload === 'online'), {
          what: 'e2e/available online',
          timeoutMs: 30_000,
        });
        const url = `http://127.0.0.1:${app.port}/classify`;
        const photo = readImage('cat_720p.jpg');
        const post = (): Promise<{ status: number; at: number; label?: string } | { error: string; at: number }> =>
          fetch(url, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo }).then(
            async (r) => ({
              status: r.status,
              at: Date.now(),
              label: r.status === 200 ? ((await r.json()) as { top: { label: string } }).top.label : undefined,
            }),
            (error: Error) => ({
              error: String((error.cause as Error | undefined)?.message ?? error.message),
              at: Date.now(),
            }),
          );
        // The model is loaded and warm before the race starts.
        const warm = await post();
        assert.ok('status' in warm && warm.status === 200, JSON.stringify(warm));

        // Four frames at once: one runs, three wait in the classifier's queue (size 4: none dropped).
        const pending = [post(), post(), post(), post()];
        const first = await Promise.race(pending);
        // Availability follows the model, so an `offline` from before it loaded may precede this point.
        const beforeSignal = subscriber.messages.length;
        const signalled = Date.now();
        process.kill(-(app.child.pid as number), 'SIGTERM');
        const answers = await Promise.all(pending);
        assert.ok(
          answers.some((a) => a.at > signalled),
          `no answer came after SIGTERM, nothing was in flight: ${JSON.stringify({ first, answers })}`,
        );
        for (const answer of answers)
          assert.ok(
            'status' in answer && answer.status === 200,
            `a frame in flight at SIGTERM got no answer: ${JSON.stringify(answers)}\n${app.output()}`,
          );
        const label = (answers[0] as { label: string }).label;
        assert.equal(
          answers.filter((a) => 'label' in a && a.label === label).length,
          4,
          'the same photo, the same top label',
        );

        const isOffline = (x: { topic: string; payload: unknown }, i: number): boolean =>
          i >= beforeSignal && x.topic === 'e2e/available' && x.payload === 'offline';
        await subscriber.waitFor((m) => m.some(isOffline), { what: 'e2e/available offline', timeoutMs: 6000 });
        const labels = subscriber.on('e2e/http/labels');
        assert.equal(labels.length, 5, 'labels JSON for the warm-up frame and the four in flight, all before offline');
        const offlineAt = subscriber.messages.findIndex(isOffline);
        const lastLabelsAt = subscriber.messages.map((x) => x.topic).lastIndexOf('e2e/http/labels');
        assert.ok(lastLabelsAt < offlineAt, 'labels go out before offline');
        await waitFor(() => !groupAlive(app.child.pid as number), { what: 'the job to exit', timeoutMs: 5000 });
        assert.match(app.output(), /stopped cleanly; exiting with code 0/);
      } finally {
        await subscriber.client.endAsync(true).catch(() => undefined);
        app.cleanup();
      }
    },
  );

  it('forgets the broker login of an earlier start once MQTT_USERNAME is no longer set', async function () {
    // Every connection the job makes, with the username it gave (the broker lets everybody in).
    const logins: Array<{ id: string; username?: string; at: number }> = [];
    const broker = await startAedes({
      authenticate: (client, username, _password, done) => {
        logins.push({ id: client.id, username, at: Date.now() });
        done(null, true);
      },
    });
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-e2e-userdir-'));
    const stop = async (app: Started): Promise<void> => {
      const pgid = app.child.pid as number;
      process.kill(-pgid, 'SIGTERM');
      // Whatever is still alive after 6 s is killed by cleanup().
      await waitFor(() => !groupAlive(pgid), { what: 'the job to exit', timeoutMs: 6000 }).catch(() => undefined);
      app.cleanup();
    };
    const env = { MQTT_URL: broker.url, NODE_RED_USER_DIR: userDir };
    const jobLogins = (since: number): Array<{ username?: string }> =>
      logins.filter((l) => l.at >= since && l.id.startsWith('mobilenet_'));
    try {
      const first = await npmStart({ ...env, MQTT_USERNAME: 'alice', MQTT_PASSWORD: 'old-secret' });
      try {
        await waitFor(() => jobLogins(0).some((l) => l.username === 'alice'), {
          what: 'a connection as alice',
          timeoutMs: 20_000,
        });
      } finally {
        await stop(first);
      }
      const secondAt = Date.now();
      const second = await npmStart(env);
      try {
        await waitFor(() => jobLogins(secondAt).length > 0, {
          what: 'a connection from the second start',
          timeoutMs: 20_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.deepEqual(
          jobLogins(secondAt).map((l) => l.username ?? null),
          jobLogins(secondAt).map(() => null),
          `logins after the second start: ${JSON.stringify(jobLogins(secondAt))}`,
        );
      } finally {
        await stop(second);
      }
    } finally {
      fs.rmSync(userDir, { recursive: true, force: true });
      await broker.stop();
    }
  });

  it('refuses to overwrite the flows of an ordinary Node-RED directory given as NODE_RED_USER_DIR', async function () {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-e2e-own-flows-'));
    // A user's own flow as Node-RED saves it, with credentials beside it.
    const own = JSON.stringify(
      [
        { id: 'f1', type: 'tab', label: 'My garden' },
        { id: 'n1', type: 'inject', z: 'f1', name: 'every morning', wires: [] },
      ],
      null,
      4,
    );
    fs.writeFileSync(path.join(userDir, 'flows.json'), own);
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), '{"$":"0123abcd"}');
    try {
      const child = spawn(process.execPath, [path.join(REPO, 'dist', 'app', 'start.js')], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NODE_RED_USER_DIR: userDir,
          BROKER_PORT: String(await freePort()),
          PORT: String(await freePort()),
          MOBILENET_MODEL: V1_025_LAYERS_DIR,
        },
      });
      let output = '';
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      // A job that went ahead would run until stopped: give it 20 s, then end it and fail.
      const overdue = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(overdue);
      assert.equal(code, 1, output);
      assert.match(
        output,
        /cannot start: .*flows\.json holds a flow that npm start did not generate.*NODE_RED_USER_DIR/,
      );
      assert.equal(fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8'), own, "the user's flow is untouched");
      assert.equal(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8'), '{"$":"0123abcd"}');
    } finally {
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('serves the editor, which has no login, to this machine only; POST /classify to everybody', async function () {
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;
    if (!lan) this.skip();
    const app = await npmStart({});
    try {
      const local = await fetch(`http://127.0.0.1:${app.port}/flows`);
      assert.equal(local.status, 200);
      assert.ok(Array.isArray(await local.json()));
      // The same server reached through this machine's network address, as another host would.
      const remoteFlows = await fetch(`http://${lan}:${app.port}/flows`);
      assert.equal(remoteFlows.status, 403);
      assert.match(await remoteFlows.text(), /answers on this machine only/);
      const deploy = await fetch(`http://${lan}:${app.port}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[]',
      });
      assert.equal(deploy.status, 403, 'nobody on the network can deploy a flow');
      assert.equal((await fetch(`http://${lan}:${app.port}/`)).status, 403);
      const answer = await fetch(`http://${lan}:${app.port}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: readImage('coffee.png'),
      });
      assert.equal(answer.status, 200);
      assert.equal(((await answer.json()) as { top: { label: string } }).top.label, 'espresso');
    } finally {
      app.cleanup();
    }
  });

  it('external Mosquitto via MQTT_URL: the same', async function () {
    if (!MOSQUITTO) this.skip();
    let broker: MosquittoBroker | undefined;
    try {
      broker = await startMosquitto();
      await runScenario({ MQTT_URL: broker.url });
    } finally {
      await broker?.dispose();
    }
  });
});
