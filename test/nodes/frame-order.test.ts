import assert from 'node:assert/strict';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { type ClassifyMessage, delayFrames, recordWorkers, waitFor, waitForStatus } from '../helpers';
import { collect, distNode, helper } from '../helpers/node-red';
import { aedesFactory, type TestBroker } from '../mqtt/helpers/test-broker';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';

const DIST_NODES = path.join(__dirname, '..', '..', 'nodes');
const brokerNode = require(path.join(DIST_NODES, 'mobilenet-mqtt-broker', 'mobilenet-mqtt-broker.js')) as unknown;
const modelNode = distNode('mobilenet-model');
const classifyNode = distNode('mobilenet-classify');
const labelsNode = distNode('mobilenet-mqtt-labels');

/** Photo and the V1 0.25 model's top-1 on it (whole-image resize; images/SOURCES.md). */
const PHOTOS: Array<[string, string]> = [
  ['parrot.jpg', 'macaw'],
  ['coffee.png', 'espresso'],
  ['dragonfly.png', 'dragonfly'],
  ['hot_dog.jpg', 'hotdog'],
];
const FRAMES = 16;
const T0 = 1_700_000_000_000;

describe('frame order with two inference workers: classify node → mqtt-labels → broker', function () {
  this.timeout(120_000);
  let broker: TestBroker;
  let sub: RecordingSubscriber | undefined;

  beforeEach(async () => {
    broker = await aedesFactory();
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sub?.close();
    sub = undefined;
    await broker.dispose();
  });

  it('publishes each source in frame order when one worker is slower; reports how many it held', async () => {
    const prefix = 'ordertest/mobilenet';
    const subscriber = await RecordingSubscriber.connect(broker.url, [`${prefix}/#`]);
    sub = subscriber;
    const started = recordWorkers();
    await helper.load(
      [modelNode, classifyNode, brokerNode, labelsNode],
      [
        { id: 'tab', type: 'tab' },
        {
          id: 'm1',
          type: 'mobilenet-model',
          source: 'path',
          path: V1_025_LAYERS_DIR,
          backend: 'wasm',
          queueSize: FRAMES,
          queuePolicy: 'wait',
          fit: 'fill',
          workers: 2,
        },
        { id: 'b1', type: 'mobilenet-mqtt-broker', url: broker.url, protocol: '3.1.1', keepalive: 30 },
        {
          id: 'c1',
          z: 'tab',
          type: 'mobilenet-classify',
          model: 'm1',
          topK: 1,
          keepImage: false,
          wires: [['l1', 'out']],
        },
        {
          id: 'l1',
          z: 'tab',
          type: 'mobilenet-mqtt-labels',
          broker: 'b1',
          prefix,
          source: '',
          labelsMode: 'every',
          statsInterval: 1,
          discovery: false,
          watched: [],
          wires: [],
        },
        { id: 'out', z: 'tab', type: 'helper' },
      ],
    );
    const c1 = helper.getNode('c1')!;
    const out = collect<ClassifyMessage>(helper.getNode('out')!);
    await waitForStatus(c1, (s) => s.fill === 'green', { timeoutMs: 60_000 });
    assert.equal(started.length, 2, 'two worker threads for the model');
    // One worker's core is taken by something else: each frame reaches it 150 ms late, the other is quick.
    delayFrames(started[0], 150);

    // Two cameras sharing the model, their frames interleaved.
    for (let i = 0; i < FRAMES; i++) {
      const source = i % 2 === 0 ? 'porch' : 'garden';
      const photo = PHOTOS[Math.floor(i / 2) % PHOTOS.length][0];
      c1.receive({ payload: readImage(photo), frame: { source, seq: i, ts: T0 + i * 100 } });
    }
    await waitFor(() => out.length === FRAMES, { what: `${FRAMES} classified frames`, timeoutMs: 60_000 });

    // What the node sent on: every frame, in the order the frames came in, each with its own labels.
    assert.deepEqual(
      out.map((msg) => (msg.frame as { seq: number }).seq),
      Array.from({ length: FRAMES }, (_, i) => i),
    );
    for (const msg of out) {
      const seq = (msg.frame as { seq: number }).seq;
      assert.equal(msg.payload[0].label.split(',')[0], PHOTOS[Math.floor(seq / 2) % PHOTOS.length][1]);
    }
    const held = Math.max(...out.map((msg) => msg.classification.queue.heldForOrder));
    assert.ok(held > 0, 'the quick worker finished frames before the slow one and they were held');

    // What the broker got, per source: labels in capture order, the retained label the newest frame's.
    for (const source of ['porch', 'garden']) {
      await subscriber.waitFor((m) => m.filter((x) => x.topic === `${prefix}/${source}/labels`).length === FRAMES / 2, {
        what: `${FRAMES / 2} labels for ${source}`,
      });
      const published = subscriber.fresh(`${prefix}/${source}/labels`).map((p) => JSON.parse(p) as { ts: number });
      const expected = out
        .filter((msg) => (msg.frame as { source: string }).source === source)
        .map((msg) => (msg.frame as { ts: number }).ts);
      assert.deepEqual(
        published.map((p) => p.ts),
        expected,
        `${source}: labels in frame order`,
      );
      // Each frame here changes the label, so the label topic carries the same sequence of frames.
      const labels = out
        .filter((msg) => (msg.frame as { source: string }).source === source)
        .map((m) => m.payload[0].label);
      await subscriber.waitFor(
        (m) => m.filter((x) => x.topic === `${prefix}/${source}/label`).length === labels.length,
        {
          what: `${labels.length} label changes for ${source}`,
        },
      );
      assert.deepEqual(subscriber.fresh(`${prefix}/${source}/label`), labels);
    }

    // The count reaches the stats topic too.
    await subscriber.waitFor(
      (m) =>
        m.some(
          (x) =>
            x.topic === `${prefix}/stats` &&
            (JSON.parse(x.payload) as { framesHeldForOrder: number }).framesHeldForOrder === held,
        ),
      { what: `stats with framesHeldForOrder ${held}`, timeoutMs: 5000 },
    );
  });
});
