import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { Classifier } from '../../src/runner/classifier';
import { IMAGES, V1_025_LAYERS_DIR, imagePath, readImage } from '../fixtures';
import { handleBaseline, lastStatusOf, leakedHandles, sleep, statusesOf, waitFor, waitForStatus } from '../helpers';
import { isAlive, pidsWith, uniqueTag } from '../frames/helpers';
import { startMjpegServer, type TestServer } from '../frames/mjpeg-server';
import { distNode, helper, type SpiedNode as HelperNode } from '../helpers/node-red';
import { startMosquitto } from '../mqtt/helpers/brokers';
import { MOSQUITTO_MISSING } from '../mqtt/helpers/test-broker';

/** The helper's node, with the event methods these tests use. */
type SpiedNode = HelperNode & {
  off(event: string, handler: (arg: never) => void): void;
  on(event: string, handler: (arg: never) => void): void;
};

const cameraNode = distNode('mobilenet-camera');
const brokerNode = distNode('mobilenet-mqtt-broker');
const node = (id: string): SpiedNode => helper.getNode(id) as SpiedNode;

interface FrameMsg {
  payload: Buffer;
  frame: { source: string; seq: number; ts: number; file?: string };
}
const FFMPEG = '/usr/bin/ffmpeg';

/**
 * ffmpeg looping a real photo as MJPEG on stdout. The unique metadata value lets the test find
 * exactly this child with pgrep, without asking the node for it.
 */
function ffmpegLoop(tag: string, fps = 10): string {
  return (
    `-hide_banner -loglevel error -re -loop 1 -i '${imagePath('parrot.jpg')}' -vf scale=320:-2 -r ${fps} -q:v 3 ` +
    `-metadata comment=${tag} -f mjpeg -`
  );
}

/** The next `count` messages arriving at a helper node. */
function collect<T>(node: SpiedNode, count: number, timeoutMs = 8000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const onInput = (msg: never): void => {
      got.push(msg as T);
      if (got.length === count) finish();
    };
    const timer = setTimeout(() => {
      node.off('input', onInput);
      reject(new Error(`got ${got.length} of ${count} messages in ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      node.off('input', onInput);
      resolve(got);
    };
    node.on('input', onInput);
  });
}

function flow(camera: object): object[] {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'cam',
      z: 'tab',
      type: 'mobilenet-camera',
      name: '',
      source: '',
      maxFps: 0,
      autostart: true,
      restartMin: 0.2,
      restartMax: 2,
      wires: [['out']],
      ...camera,
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

describe('mobilenet-camera node', function () {
  this.timeout(20000);
  let classifier: Classifier;
  let server: TestServer | http.Server | undefined;

  before(async function () {
    this.timeout(60000);
    // The real core classifier on the real fixture model: frames must be pictures, not just bytes.
    classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queueSize: 8, queuePolicy: 'wait' });
  });

  after(async function () {
    await classifier?.dispose();
  });

  beforeEach(async function () {
    await helper.startServer();
  });

  afterEach(async function () {
    await helper.unload();
    await helper.stopServer();
    if (server instanceof http.Server) {
      server.closeAllConnections();
      await new Promise((resolve) => (server as http.Server).close(resolve));
    } else if (server) await server.close();
    server = undefined;
  });

  async function assertMacaw(jpeg: Buffer): Promise<void> {
    const result = await classifier.classify(jpeg, { fit: 'fill' });
    assert.equal(result.top?.label.split(',')[0], 'macaw', `top-3: ${JSON.stringify(result.predictions.slice(0, 3))}`);
  }

  it(
    'sends ffmpeg MJPEG frames of a looping photo: valid JPEGs, increasing seq, named source, classified as ' + 'macaw',
    async function () {
      const tag = uniqueTag();
      await helper.load(
        [cameraNode],
        flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag), source: 'parrot-cam' }),
      );
      const msgs = await collect<FrameMsg>(node('out'), 4);
      assert.deepEqual(
        msgs.map((m) => m.frame.seq),
        [0, 1, 2, 3],
      );
      for (const msg of msgs) {
        assert.ok(Buffer.isBuffer(msg.payload));
        assert.equal(msg.frame.source, 'parrot-cam');
        assert.equal(typeof msg.frame.ts, 'number');
        assert.equal(msg.frame.file, undefined);
      }
      const meta = await sharp(msgs[3]!.payload).metadata();
      assert.deepEqual([meta.format, meta.width], ['jpeg', 320]);
      // Decoding every pixel proves each frame is complete, not just well-framed.
      for (const msg of msgs) await sharp(msg.payload).raw().toBuffer();
      await assertMacaw(msgs[3]!.payload);
      assert.equal(pidsWith(tag).length, 1);
    },
  );

  it('names frames after the node when Source name is empty, and caps the rate (latest frame wins)', async function () {
    const tag = uniqueTag();
    await helper.load(
      [cameraNode],
      flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag, 20), name: 'Front door', maxFps: 4 }),
    );
    const msgs = await collect<FrameMsg>(node('out'), 6);
    assert.ok(msgs.every((m) => m.frame.source === 'Front door'));
    const spanS = (msgs[5]!.frame.ts - msgs[1]!.frame.ts) / 1000;
    const rate = 4 / spanS;
    assert.ok(rate <= 4.6, `sent ${rate.toFixed(2)} fps with a 4 fps cap`);
    // ffmpeg makes 20 fps: seq jumps over the frames the cap skipped.
    const gaps = msgs.slice(1).map((m, i) => m.frame.seq - msgs[i]!.frame.seq);
    assert.ok(
      gaps.slice(1).every((g) => g >= 2),
      `seq gaps ${JSON.stringify(gaps)}`,
    );
  });

  it('sends frames from an HTTP MJPEG stream (loopback server) that classify as macaw', async function () {
    const photo = readImage('parrot.jpg');
    const mjpeg = await startMjpegServer({ frames: [photo], intervalMs: 50, contentLength: false });
    server = mjpeg;
    await helper.load([cameraNode], flow({ kind: 'mjpeg-url', url: mjpeg.url, source: 'esp32' }));
    const msgs = await collect<FrameMsg>(node('out'), 3);
    assert.deepEqual(
      msgs.map((m) => m.frame.seq),
      [0, 1, 2],
    );
    assert.ok(
      msgs.every((m) => m.frame.source === 'esp32' && m.payload.equals(photo)),
      'each frame is the served JPEG byte for byte',
    );
    await assertMacaw(msgs[2]!.payload);
  });

  it('sends Basic auth from the credential store to a snapshot URL', async function () {
    const photo = readImage('parrot.jpg');
    const seen: Array<string | undefined> = [];
    const snap = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('cam:s3cret pass').toString('base64')}`) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': photo.length }).end(photo);
    });
    server = snap;
    await new Promise<void>((resolve) => snap.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(snap.address() as AddressInfo).port}/capture`;
    await helper.load([cameraNode], flow({ kind: 'snapshot-url', url, interval: 0.1 }), {
      cam: { user: 'cam', password: 's3cret pass' },
    });
    const msgs = await collect<FrameMsg>(node('out'), 2);
    assert.ok(msgs.every((m) => m.payload.equals(photo)));
    assert.ok(seen.length >= 2 && seen.every((a) => a !== undefined));
    // The password shows up nowhere a user or log could see it.
    const cam = node('cam');
    assert.ok(!JSON.stringify([cam.status.args, cam.error.args]).includes('s3cret'));
  });

  it('refuses a URL that is not http(s) without putting the stored password into the error', async function () {
    // A common slip: an RTSP camera URL in the MJPEG field, with the camera login in the credentials.
    await helper.load([cameraNode], flow({ kind: 'mjpeg-url', url: 'rtsp://192.0.2.7:554/stream1' }), {
      cam: { user: 'admin', password: 'hunter2-rtsp' },
    });
    const cam = node('cam');
    assert.deepEqual(lastStatusOf(cam), { fill: 'red', shape: 'ring', text: 'configuration error' });
    assert.match(String(cam.error.args[0]?.[0]), /must be an http:\/\/ or https:\/\/ URL/);
    const seen = JSON.stringify([statusesOf(cam), cam.error.args, cam.warn.args, helper.log().args]);
    assert.ok(!seen.includes('hunter2-rtsp'), `the camera password leaked: ${String(cam.error.args[0]?.[0])}`);
  });

  it(
    'keeps the camera login out of the error, status and log when ffmpeg names its RTSP URL in its error ' + 'line',
    async function () {
      if (!fs.existsSync(FFMPEG)) this.skip();
      // A closed loopback port: ffmpeg's last stderr line is "rtsp://admin:<password>@…: Connection refused".
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const args =
        `-hide_banner -loglevel error -rtsp_transport tcp -i ` +
        `rtsp://admin:hunter2-rtsp@127.0.0.1:${port}/stream1 -f mjpeg -`;
      await helper.load([cameraNode], flow({ kind: 'command', command: FFMPEG, args, restartMin: 5, restartMax: 5 }));
      const cam = node('cam');
      const caught = await collect<{ error: { message: string } }>(node('caught'), 1);
      assert.match(caught[0]!.error.message, /Connection refused/, "ffmpeg's own reason still reaches the Catch node");
      assert.match(caught[0]!.error.message, /rtsp:\/\/\*\*\*@127\.0\.0\.1/);
      const status = await waitFor(() => statusesOf(cam).find((s) => s.fill === 'red'), {
        what: 'the restarting status',
      });
      assert.match(status.text ?? '', /exited with code/);
      const seen = JSON.stringify([statusesOf(cam), cam.error.args, cam.warn.args, helper.log().args, caught]);
      assert.ok(!seen.includes('hunter2-rtsp'), 'the camera password leaked into the error, status or log');
    },
  );

  it('publishing at QoS 1 with no pool member subscribed: warns once that the broker discards frames', async () => {
    assert.equal(MOSQUITTO_MISSING, undefined, 'Mosquitto 2 is installed for the tests (.ci/run does)');
    const mosquitto = await startMosquitto();
    try {
      await helper.load(
        [cameraNode, brokerNode],
        [
          ...flow({ kind: 'folder', dir: IMAGES, folderMode: 'loop', interval: 0.05, source: 'shed' }),
          { id: 'b1', type: 'mobilenet-mqtt-broker', url: mosquitto.url, protocol: '5', keepalive: 30 },
        ].map((n) =>
          (n as { id: string }).id === 'cam' ? { ...n, broker: 'b1', publish: true, qos: '1', prefix: 'pool' } : n,
        ),
      );
      const cam = node('cam');
      const warned = () => cam.warn.args.map((a) => String(a[0])).filter((w) => w.includes('reached no classifier'));
      await waitFor(() => warned().length > 0, { what: 'the warning about frames nobody takes' });
      await collect<FrameMsg>(node('out'), 10); // more frames, all unheard too: still one warning
      assert.equal(warned().length, 1, JSON.stringify(warned()));
      assert.match(warned()[0], /no pool member is subscribed to pool\/shed\/frame/);
    } finally {
      await helper.unload();
      await mosquitto.dispose();
    }
  });

  it('replays a folder with msg.frame.file set', async function () {
    await helper.load(
      [cameraNode],
      flow({ kind: 'folder', dir: IMAGES, folderMode: 'loop', interval: 0.05, source: 'replay' }),
    );
    const msgs = await collect<FrameMsg>(node('out'), 3);
    // Every format the classifier decodes (not the BMP copies), in name order.
    const images = fs
      .readdirSync(IMAGES)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort();
    assert.deepEqual(
      msgs.map((m) => path.basename(m.frame.file!)),
      images.slice(0, 3),
    );
    for (const msg of msgs) assert.ok(msg.payload.equals(fs.readFileSync(msg.frame.file!)));
  });

  it(
    'watches a folder: each image dropped in is sent once then deleted; an unsupported file reaches Catch once, ' +
      'naming the accepted formats',
    async function () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'camera-watch-'));
      try {
        await helper.load(
          [cameraNode],
          flow({ kind: 'folder', dir, folderMode: 'watch', interval: 0.05, retention: 'delete', source: 'drop' }),
        );
        const cam = node('cam');
        await waitFor(() => statusesOf(cam).some((s) => s.fill === 'green'), { what: 'the watching status' });
        const caught = collect<{ error: { message: string }; frame: { source: string } }>(node('caught'), 1);
        fs.copyFileSync(imagePath('grace_hopper.bmp'), path.join(dir, 'grace_hopper.bmp'));
        const report = (await caught)[0]!;
        assert.equal(
          report.error.message,
          `skipped ${path.join(dir, 'grace_hopper.bmp')}: .bmp files are not a supported image format; a folder ` +
            `source ` +
            `classifies JPEG (.jpg, .jpeg), PNG, WebP, GIF, TIFF (.tif, .tiff) or AVIF files`,
        );
        assert.equal(report.frame.source, 'drop');
        // Counted under the node as well, with any other file that is not an image.
        fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image\n');
        const counted = await waitForStatus(cam, (s) => /files skipped: 2$/.test(s.text ?? ''), { timeoutMs: 10_000 });
        assert.equal(counted.fill, 'yellow');

        const sent = collect<FrameMsg>(node('out'), 2);
        fs.copyFileSync(imagePath('parrot.jpg'), path.join(dir, 'parrot.jpg'));
        fs.copyFileSync(imagePath('chelsea.png'), path.join(dir, 'chelsea.png'));
        const msgs = await sent;
        assert.deepEqual(msgs.map((m) => path.basename(m.frame.file!)).sort(), ['chelsea.png', 'parrot.jpg']);
        const parrot = msgs.find((m) => m.frame.file!.endsWith('parrot.jpg'))!;
        assert.ok(parrot.payload.equals(readImage('parrot.jpg')));
        await assertMacaw(parrot.payload);
        await waitFor(() => fs.readdirSync(dir).length === 2, { what: 'both images deleted after sending' });
        assert.deepEqual(
          fs.readdirSync(dir).sort(),
          ['grace_hopper.bmp', 'notes.txt'],
          'unsupported files are left alone',
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'restarts ffmpeg after it is killed, shows it in the status, reports it once to Catch, and frames ' + 'resume',
    async function () {
      const tag = uniqueTag();
      // A restart delay longer than the status period, so the red status is on screen for a while.
      await helper.load(
        [cameraNode],
        flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag), restartMin: 1.5, restartMax: 3 }),
      );
      const out = node('out');
      const cam = node('cam');
      const before = await collect<FrameMsg>(out, 2);
      const [firstPid] = await waitFor(() => (pidsWith(tag).length === 1 ? pidsWith(tag) : undefined), {
        what: 'one ffmpeg',
      });
      let reports = 0;
      node('caught').on('input', () => reports++);
      const caught = collect<{ error: { message: string }; frame: { source: string } }>(node('caught'), 1);
      process.kill(firstPid!, 'SIGKILL');
      const report = (await caught)[0]!;
      assert.match(report.error.message, /camera command "\/usr\/bin\/ffmpeg" was killed by SIGKILL/);
      assert.equal(report.frame.source, 'camera');
      await waitFor(
        () => statusesOf(cam).some((st) => st.fill === 'red' && /^restarting: .*SIGKILL/.test(st.text ?? '')),
        { what: 'a red "restarting" status' },
      );
      const after = await collect<FrameMsg>(out, 2);
      assert.ok(after[0]!.frame.seq > before[1]!.frame.seq, 'seq keeps counting across the restart');
      await assertMacaw(after[1]!.payload);
      const pids = pidsWith(tag);
      assert.equal(pids.length, 1);
      assert.notEqual(pids[0], firstPid);
      assert.equal(isAlive(firstPid!), false);
      assert.equal(reports, 1, 'one failure, one report');
      // Back to green, and the restart stays visible after a restart too quick to see.
      await waitFor(() => lastStatusOf(cam)?.fill === 'green', { what: 'green status again', timeoutMs: 3000 });
      assert.match(lastStatusOf(cam)?.text ?? '', /^running · [\d.]+ fps · \d+ frames · restarts: 1$/);
    },
  );

  it('starts and stops on "start"/"stop" messages (payload or msg.command)', async function () {
    const tag = uniqueTag();
    await helper.load(
      [cameraNode],
      flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag), autostart: false }),
    );
    const cam = node('cam');
    const out = node('out');
    let frames = 0;
    out.on('input', () => frames++);
    await sleep(500);
    assert.equal(frames, 0);
    assert.deepEqual(pidsWith(tag), []);
    assert.equal(lastStatusOf(cam)?.fill, 'grey');

    cam.receive({ payload: 'start' });
    await collect(out, 2);
    assert.equal(pidsWith(tag).length, 1);

    cam.receive({ payload: 'STOP' });
    await waitFor(() => lastStatusOf(cam)?.fill === 'grey', { what: 'grey "stopped" status' });
    assert.match(lastStatusOf(cam)?.text ?? '', /stopped/);
    await waitFor(() => pidsWith(tag).length === 0, { what: 'ffmpeg gone' });
    const stoppedAt = frames;
    await sleep(400);
    assert.equal(frames, stoppedAt, 'no frames after stop');

    cam.receive({ command: 'start', payload: 'ignored when msg.command is set' });
    await collect(out, 1);
    assert.equal(pidsWith(tag).length, 1);
  });

  it(
    'never lets a message change the command: other values are refused through Catch, extra fields ' + 'ignored',
    async function () {
      const tag = uniqueTag();
      const marker = path.join(os.tmpdir(), `${tag}-injected`);
      await helper.load(
        [cameraNode],
        flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag), autostart: false }),
      );
      const cam = node('cam');
      const caughtNode = node('caught');
      const attempts = [
        { command: `/bin/sh -c "touch ${marker}"` },
        { payload: { command: '/bin/sh', args: ['-c', `touch ${marker}`] } },
        { payload: `touch ${marker}` },
        { payload: 42 },
      ];
      const caught = collect<{ error: { message: string } }>(caughtNode, attempts.length);
      for (const msg of attempts) cam.receive(msg);
      const errors = (await caught).map((m) => m.error.message);
      assert.deepEqual(
        errors.map((e) =>
          new RegExp(
            String.raw`must be "start" or "stop", got .*; the camera command, URL and folder can only be changed` +
              String.raw` in the node's configuration`,
          ).test(e),
        ),
        [true, true, true, true],
      );
      assert.match(errors[0]!, /^RangeError: msg.command must be/);
      assert.match(errors[3]!, /^RangeError: msg.payload must be "start" or "stop", got number/);
      assert.deepEqual(pidsWith(tag), [], 'a refused message starts nothing');

      // A valid start carrying would-be overrides runs the configured ffmpeg and nothing else.
      cam.receive({
        payload: 'start',
        args: ['-c', `touch ${marker}`],
        url: 'http://evil',
        dir: '/etc',
        kind: 'folder',
        cmd: '/bin/sh',
      });
      const msgs = await collect<FrameMsg>(node('out'), 1);
      await sharp(msgs[0]!.payload).raw().toBuffer();
      const [pid] = pidsWith(tag);
      assert.ok(pid);
      assert.equal(fs.readlinkSync(`/proc/${pid}/exe`), fs.realpathSync(FFMPEG));
      assert.equal(fs.existsSync(marker), false);
    },
  );

  it('updates the status at most about once a second while running', async function () {
    const tag = uniqueTag();
    await helper.load([cameraNode], flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag, 25) }));
    const cam = node('cam');
    const out = node('out');
    await collect(out, 1);
    const from = statusesOf(cam).length;
    let frames = 0;
    out.on('input', () => frames++);
    await sleep(3000);
    const updates = statusesOf(cam).slice(from);
    assert.ok(frames >= 30, `only ${frames} frames in 3 s`);
    assert.ok(
      updates.length >= 1 && updates.length <= 4,
      `${updates.length} status updates for ${frames} frames in 3 s`,
    );
    const text = updates.at(-1)!.text ?? '';
    const [, fps, count] = /^running · ([\d.]+) fps · (\d+) frames$/.exec(text) ?? [];
    assert.ok(fps && count, `status text ${JSON.stringify(text)}`);
    assert.ok(Number(fps) > 10 && Number(fps) < 30, text);
  });

  it('shows a configuration error and refuses start messages, without spawning anything', async function () {
    await helper.load([cameraNode], flow({ kind: 'command', command: '  ', args: '' }));
    const cam = node('cam');
    assert.deepEqual(lastStatusOf(cam), { fill: 'red', shape: 'ring', text: 'configuration error' });
    assert.match(String(cam.error.args[0]?.[0]), /Camera not started: Command is empty/);
    const caught = collect<{ error: { message: string } }>(node('caught'), 1);
    cam.receive({ payload: 'start' });
    assert.match((await caught)[0]!.error.message, /not configured correctly/);
  });

  it('on close stops the source first: no child process and no open handle is left', async function () {
    const tag = uniqueTag();
    const baseline = await handleBaseline();
    await helper.load([cameraNode], flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag) }));
    await collect(node('out'), 2);
    const [pid] = pidsWith(tag);
    assert.ok(pid);
    // The helper's spies go away on unload: count status calls with a spy of our own.
    const statusCalls: unknown[] = [];
    Object.assign(node('cam'), { status: (s: unknown) => statusCalls.push(s) });
    await helper.unload();
    const callsAtClose = statusCalls.length;
    // unload() resolves only after the close handler's done(): the child must already be gone.
    assert.equal(isAlive(pid), false);
    assert.deepEqual(pidsWith(tag), []);
    assert.deepEqual(await leakedHandles(baseline, { settleMs: 500 }), []);
    // The status timer is gone too: a closed node never touches its status again.
    await sleep(1200);
    assert.equal(statusCalls.length, callsAtClose);
    assert.deepEqual(statusCalls.at(-1), {}, 'close clears the status');
  });

  it('on close after a "stop" then "start" in quick succession, still leaves no child', async function () {
    const tag = uniqueTag();
    await helper.load([cameraNode], flow({ kind: 'command', command: FFMPEG, args: ffmpegLoop(tag) }));
    const cam = node('cam');
    await collect(node('out'), 1);
    cam.receive({ payload: 'stop' });
    cam.receive({ payload: 'start' });
    await helper.unload();
    assert.deepEqual(pidsWith(tag), []);
    await sleep(300);
    assert.deepEqual(pidsWith(tag), [], 'the queued start did not spawn after close');
  });
});
