import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IMAGES } from '../fixtures';
import { waitFor } from '../helpers';
import { freePort } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { type AppProcess, rawRequest, startApp } from './helpers/app-process';

const FRUIT = path.join(IMAGES, 'fewshot', 'fruit');
const photo = (label: string, name: string): Buffer => fs.readFileSync(path.join(FRUIT, label, `${name}.jpg`));

/** Two photos per class to teach; held-out frames are other shots (no mirrored twin of a taught one). */
const TAUGHT = {
  apple: ['IMG_20200229_164759', 'IMG_20200229_164811'],
  banana: ['IMG_20200229_164947', 'IMG_20200229_164957'],
};
const HELD_OUT = { apple: 'IMG_20200229_164830', banana: 'IMG_20200229_165033' };

interface Labels {
  classes: Array<{ label: string; count: number; examples: Array<{ id: string; thumbnail: string | null }> }>;
}

async function teach(app: AppProcess, label: string, image: Buffer, headers: Record<string, string> = {}) {
  return rawRequest(app.port, {
    method: 'POST',
    path: `/teach?label=${encodeURIComponent(label)}`,
    headers: { 'content-type': 'image/jpeg', ...headers },
    body: image,
  });
}

/**
 * The HTTP server answers before Node-RED has started the flow's nodes (a busy machine may take seconds): the
 * model's "ready" line comes after them.
 */
async function flowsStarted(app: AppProcess): Promise<void> {
  await app.waitForOutput(/model .* ready on \w+/, 120000);
}

describe('npm start: teaching over HTTP', function () {
  this.timeout(240000);
  let work: string;
  let subscriber: RecordingSubscriber | undefined;
  let app: AppProcess | undefined;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-teach-app-'));
  });

  afterEach(async () => {
    await subscriber?.client.endAsync(true).catch(() => undefined);
    subscriber = undefined;
    await app?.stop();
    app = undefined;
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** The app with a user dir and frames folder that outlive it, so a second start finds the same set. */
  async function start(): Promise<{ app: AppProcess; framesDir: string; brokerUrl: string }> {
    const brokerPort = await freePort();
    const framesDir = path.join(work, 'frames');
    const started = await startApp({
      NODE_RED_USER_DIR: path.join(work, 'node-red'),
      FRAMES_DIR: framesDir,
      FRAMES_RETENTION: 'keep',
      BROKER_PORT: String(brokerPort),
    });
    await flowsStarted(started);
    return { app: started, framesDir, brokerUrl: `mqtt://127.0.0.1:${brokerPort}` };
  }

  async function labelOf(framesDir: string, label: keyof typeof HELD_OUT, as: string): Promise<string> {
    const from = subscriber!.messages.length;
    fs.writeFileSync(path.join(framesDir, `${as}.jpg`), photo(label, HELD_OUT[label]));
    await subscriber!.waitFor((m) => m.slice(from).some((x) => x.topic === 'e2e/frames/labels'), {
      what: `a classification of ${as}`,
      timeoutMs: 60000,
    });
    const last = subscriber!.messages
      .slice(from)
      .filter((x) => x.topic === 'e2e/frames/labels')
      .at(-1)!;
    return (JSON.parse(last.payload) as { predictions: Array<{ label: string }> }).predictions[0].label;
  }

  it(
    'POST /teach twice per class, then frames dropped into the folder publish the taught label; ' +
      'the set survives a restart',
    async () => {
      let started = await start();
      app = started.app;
      subscriber = await RecordingSubscriber.connect(started.brokerUrl, ['e2e/#']);

      for (const [label, names] of Object.entries(TAUGHT)) {
        for (const name of names) {
          const answer = await teach(app, label, photo(label, name));
          assert.equal(answer.status, 200, answer.text);
        }
      }
      const listed = JSON.parse((await rawRequest(app.port, { method: 'GET', path: '/labels' })).text) as Labels;
      assert.deepEqual(
        listed.classes.map((c) => [c.label, c.count]),
        [
          ['apple', 2],
          ['banana', 2],
        ],
      );
      assert.match(listed.classes[0].examples[0].thumbnail ?? '', /^data:image\/jpeg;base64,/);

      assert.equal(await labelOf(started.framesDir, 'apple', 'a1'), 'apple');
      assert.equal(await labelOf(started.framesDir, 'banana', 'b1'), 'banana');
      await subscriber.waitFor((m) => m.some((x) => x.topic === 'e2e/frames/label' && x.payload === 'banana'), {
        what: 'label banana',
        timeoutMs: 10000,
      });

      // A Home Assistant button: {"label"} on the source's teach topic teaches the frame it shows now (b1).
      await subscriber.client.publishAsync('e2e/frames/teach', JSON.stringify({ label: 'banana' }), { qos: 1 });
      await waitFor(
        async () => {
          const now = JSON.parse((await rawRequest(app!.port, { method: 'GET', path: '/labels' })).text) as Labels;
          return now.classes.find((c) => c.label === 'banana')?.count === 3;
        },
        { what: 'the MQTT teach command taught banana', timeoutMs: 20000 },
      );

      await subscriber.client.endAsync(true);
      await app.stop();
      started = await start();
      app = started.app;
      subscriber = await RecordingSubscriber.connect(started.brokerUrl, ['e2e/#']);
      const again = JSON.parse((await rawRequest(app.port, { method: 'GET', path: '/labels' })).text) as Labels;
      assert.deepEqual(
        again.classes.map((c) => [c.label, c.count]),
        [
          ['apple', 2],
          ['banana', 3],
        ],
        'kept over a restart',
      );
      assert.equal(await labelOf(started.framesDir, 'apple', 'a2'), 'apple');

      const forgot = await rawRequest(app.port, { method: 'DELETE', path: '/labels/banana' });
      assert.equal(forgot.status, 200, forgot.text);
      assert.notEqual(await labelOf(started.framesDir, 'banana', 'b2'), 'banana');
      // A frame like nothing taught is unknown, and kept for review.
      const from = subscriber.messages.length;
      fs.copyFileSync(path.join(IMAGES, 'parrot.jpg'), path.join(started.framesDir, 'p1.jpg'));
      await subscriber.waitFor((m) => m.slice(from).some((x) => x.topic === 'e2e/frames/labels'), {
        what: 'parrot classified',
        timeoutMs: 60000,
      });
      const review = await rawRequest(app.port, { method: 'GET', path: '/labels/review' });
      assert.equal(review.status, 200, review.text);
      const kept = JSON.parse(review.text) as { items: Array<{ label: string; image: string }>; dropped: number };
      assert.ok(
        kept.items.some((i) => i.label === 'unknown' && i.image.startsWith('data:image/jpeg')),
        review.text,
      );
    },
  );

  it('refuses other origins, callers relayed from elsewhere without the token, and bad input', async () => {
    const started = await start();
    app = started.app;
    const image = photo('apple', TAUGHT.apple[0]);

    const crossSite = await teach(app, 'apple', image, { origin: 'http://evil.example' });
    assert.equal(crossSite.status, 403, crossSite.text);
    const rebound = await teach(app, 'apple', image, { host: `evil.example:${app.port}` });
    assert.equal(rebound.status, 403, rebound.text);
    const relayed = await rawRequest(app.port, {
      method: 'GET',
      path: '/labels',
      headers: { 'x-forwarded-for': '192.0.2.7' },
    });
    assert.equal(relayed.status, 403, relayed.text);
    assert.match(relayed.text, /TEACH_TOKEN/);

    const empty = await teach(app, '', image);
    assert.equal(empty.status, 400, empty.text);
    const notImage = await teach(app, 'apple', Buffer.from('hello'));
    assert.equal(notImage.status, 400, notImage.text);
    const missing = await rawRequest(app.port, { method: 'DELETE', path: '/labels/pear' });
    assert.equal(missing.status, 404, missing.text);

    const listed = JSON.parse((await rawRequest(app.port, { method: 'GET', path: '/labels' })).text) as Labels;
    assert.deepEqual(listed.classes, [], 'nothing refused was taught');
    assert.equal((await teach(app, 'apple', image)).status, 200, 'teaching still works');
  });

  it('with TEACH_TOKEN, a relayed caller needs the token and gets in with it', async () => {
    const token = 'a-teach-token-of-some-length';
    app = await startApp({ NODE_RED_USER_DIR: path.join(work, 'node-red'), TEACH_TOKEN: token });
    await flowsStarted(app);
    const relayed = { 'x-forwarded-for': '192.0.2.7' };
    const without = await rawRequest(app.port, { method: 'GET', path: '/labels', headers: relayed });
    assert.equal(without.status, 401, without.text);
    const wrong = await rawRequest(app.port, {
      method: 'GET',
      path: '/labels',
      headers: { ...relayed, authorization: 'Bearer nope' },
    });
    assert.equal(wrong.status, 401, wrong.text);
    const right = await rawRequest(app.port, {
      method: 'GET',
      path: '/labels',
      headers: { ...relayed, authorization: `Bearer ${token}` },
    });
    assert.equal(right.status, 200, right.text);
    assert.doesNotMatch(app.output(), new RegExp(token), 'the token is never written to the log');
  });
});
