import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import sharp from 'sharp';
import { makeThumbnail } from '../../src/labelset/thumbnail';
import { IMAGES, V1_025_LAYERS_DIR } from '../fixtures';
import { waitFor, waitForStatus } from '../helpers';
import { type SpiedNode, collect, distNode, helper } from '../helpers/node-red';
import { startAedes } from '../mqtt/helpers/brokers';

const NODES = [
  'mobilenet-model',
  'mobilenet-label-set',
  'mobilenet-teach',
  'mobilenet-classify',
  'mobilenet-mqtt-broker',
  'mobilenet-mqtt-labels',
].map(distNode);

const FRUIT = path.join(IMAGES, 'fewshot', 'fruit');
const photo = (label: string, name: string) => fs.readFileSync(path.join(FRUIT, label, `${name}.jpg`));

/** Mean absolute difference per byte between two JPEGs' pixels (both 224×224). */
async function pixelDistance(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((jpeg) => sharp(jpeg).resize(224, 224).raw().toBuffer()));
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - y[i]);
  return sum / x.length;
}

/**
 * A Home Assistant "Teach: …" button publishes `{"label"}` on `<prefix>/<source>/teach`: the frame taught must
 * be the one THAT camera shows now, not the last frame of whichever camera the set saw last.
 */
describe('MQTT teach commands teach the current frame of their own source', function () {
  this.timeout(180000);
  let dir: string;
  let broker: Awaited<ReturnType<typeof startAedes>>;
  let client: MqttClient | undefined;

  before(async () => {
    broker = await startAedes();
  });
  after(async () => {
    await broker?.stop();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-mqtt-teach-'));
    await helper.startServer();
  });
  afterEach(async () => {
    await client?.endAsync(true);
    client = undefined;
    await helper.unload();
    await helper.stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two cameras through one set: each teach topic teaches its own camera’s last frame', async () => {
    await helper.load(NODES, [
      { id: 'tab', type: 'tab' },
      { id: 'm1', type: 'mobilenet-model', source: 'path', path: V1_025_LAYERS_DIR, backend: 'wasm', fit: 'fill' },
      { id: 'ls1', type: 'mobilenet-label-set', name: 'yard', model: 'm1', dir },
      { id: 'b1', type: 'mobilenet-mqtt-broker', url: broker.url },
      { id: 'c1', z: 'tab', type: 'mobilenet-classify', model: 'm1', labelSet: 'ls1', wires: [['mq', 'out']] },
      { id: 'mq', z: 'tab', type: 'mobilenet-mqtt-labels', broker: 'b1', teach: true, outputs: 2, wires: [[], ['t1']] },
      { id: 't1', z: 'tab', type: 'mobilenet-teach', labelSet: 'ls1', wires: [['taught']] },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'taught', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });
    await waitForStatus(helper.getNode('mq') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 20000,
    });
    const out = collect(helper.getNode('out') as SpiedNode);
    const taught = collect(helper.getNode('taught') as SpiedNode);
    const caught = collect(helper.getNode('caught') as SpiedNode);

    // The left camera sees an apple, the right one a banana; the right one's frame comes last.
    const left = photo('apple', 'IMG_20200229_164759');
    const right = photo('banana', 'IMG_20200229_164947');
    for (const [payload, source] of [
      [left, 'left'],
      [right, 'right'],
    ] as const) {
      const before = out.length;
      (helper.getNode('c1') as SpiedNode).receive({ payload, frame: { source, ts: Date.now() } });
      await waitFor(() => out.length > before, { what: `the ${source} frame classified`, timeoutMs: 60000 });
    }

    client = await mqtt.connectAsync(broker.url);
    await client.publishAsync('mobilenet/left/teach', JSON.stringify({ label: 'apple' }), { qos: 1 });
    await waitFor(() => taught.length >= 1 || caught.length > 0, { what: 'the left teach', timeoutMs: 30000 });
    await client.publishAsync('mobilenet/right/teach', JSON.stringify({ label: 'banana' }), { qos: 1 });
    await waitFor(() => taught.length >= 2 || caught.length > 0, { what: 'the right teach', timeoutMs: 30000 });
    assert.equal(caught.length, 0, 'no teach command refused');

    // Each class holds its own camera's frame: its crop is far closer to that frame than to the other one.
    const view = (await (helper.request() as unknown as Agent).get('/mobilenet/label-sets/ls1').expect(200))
      .body as EditorView;
    const crops = new Map(
      view.classes.map((c) => [c.label, Buffer.from(c.examples[0].thumbnail.split(',')[1], 'base64')]),
    );
    assert.deepEqual([...crops.keys()].sort(), ['apple', 'banana']);
    const fill = { fit: 'fill' as const };
    const [leftCrop, rightCrop] = await Promise.all([
      makeThumbnail(left, undefined, fill),
      makeThumbnail(right, undefined, fill),
    ]);
    const apple = crops.get('apple') as Buffer;
    const banana = crops.get('banana') as Buffer;
    const appleToLeft = await pixelDistance(apple, leftCrop);
    const appleToRight = await pixelDistance(apple, rightCrop);
    assert.ok(appleToLeft * 3 < appleToRight, `apple's crop: ${appleToLeft} from left, ${appleToRight} from right`);
    const bananaToRight = await pixelDistance(banana, rightCrop);
    const bananaToLeft = await pixelDistance(banana, leftCrop);
    assert.ok(
      bananaToRight * 3 < bananaToLeft,
      `banana's crop: ${bananaToRight} from right, ${bananaToLeft} from left`,
    );

    // A camera the set has not seen has no frame to teach: refused, said, nothing taught.
    await client.publishAsync('mobilenet/garage/teach', JSON.stringify({ label: 'apple' }), { qos: 1 });
    await waitFor(() => caught.length > 0, { what: 'the refused teach', timeoutMs: 30000 });
    assert.match(
      (caught[0].error as { message: string }).message,
      /no classify node has seen a frame of source "garage"/,
    );
    const counts = (await (helper.request() as unknown as Agent).get('/mobilenet/label-sets/ls1').expect(200))
      .body as EditorView;
    assert.deepEqual(
      counts.classes.map((c) => [c.label, c.count]),
      [
        ['apple', 1],
        ['banana', 1],
      ],
    );
  });
});

interface EditorView {
  classes: Array<{ label: string; count: number; examples: Array<{ id: string; thumbnail: string }> }>;
}

interface Agent {
  get(path: string): { expect(status: number): Promise<{ body: unknown }> };
}
