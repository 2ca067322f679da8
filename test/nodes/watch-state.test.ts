import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MqttClient } from 'mqtt';
import { V1_025_LAYERS_DIR } from '../fixtures';
import { waitFor, waitForStatus } from '../helpers';
import { type SpiedNode, collect, distNode, helper } from '../helpers/node-red';
import { REGION, sceneFrame } from '../labelset/scene';
import { assertRetainedState, recordAllTopics } from '../labelset/state-subscriber';
import { startAedes } from '../mqtt/helpers/brokers';

const NODES = [
  'mobilenet-model',
  'mobilenet-label-set',
  'mobilenet-teach',
  'mobilenet-classify',
  'mobilenet-mqtt-broker',
  'mobilenet-mqtt-labels',
].map(distNode);

type Msg = Record<string, unknown>;
/**
 * Issue 12's ROI + motion + consensus acceptance inside Node-RED: teach node, classify node watching
 * the label set's region, mqtt-labels node publishing the state to a real broker. The frames are a
 * real still scene whose region shows one of two real photos.
 */
describe('classify "Watch state" → mqtt-labels: motion gate, consensus, picture over MQTT', function () {
  this.timeout(180000);
  const K = 3;
  let dir: string;
  let broker: Awaited<ReturnType<typeof startAedes>>;
  const clients: MqttClient[] = [];

  function flow(classify: Record<string, unknown> = {}): object[] {
    const roi = { roiX: REGION.x, roiY: REGION.y, roiWidth: REGION.width, roiHeight: REGION.height };
    return [
      { id: 'tab', type: 'tab' },
      { id: 'm1', type: 'mobilenet-model', source: 'path', path: V1_025_LAYERS_DIR, backend: 'wasm', fit: 'fill' },
      { id: 'ls1', type: 'mobilenet-label-set', name: 'porch', model: 'm1', dir, ...roi },
      { id: 'b1', type: 'mobilenet-mqtt-broker', url: broker.url },
      { id: 't1', z: 'tab', type: 'mobilenet-teach', labelSet: 'ls1', wires: [['taught']] },
      {
        id: 'c1',
        z: 'tab',
        type: 'mobilenet-classify',
        model: 'm1',
        labelSet: 'ls1',
        keepImage: false,
        watchState: true,
        watchMotion: true,
        watchFrames: String(K),
        watchHeartbeat: '60',
        wires: [['out', 'mq']],
        ...classify,
      },
      { id: 'mq', z: 'tab', type: 'mobilenet-mqtt-labels', broker: 'b1', deviceClass: 'occupancy', wires: [[]] },
      { id: 'taught', z: 'tab', type: 'helper' },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'completed', z: 'tab', type: 'complete', scope: ['c1', 't1'], uncaught: false, wires: [['finished']] },
      { id: 'finished', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
  }

  before(async () => {
    broker = await startAedes();
  });
  after(async () => {
    await broker?.stop();
  });
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-watch-'));
    await helper.startServer();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.endAsync(true);
    await helper.unload();
    await helper.stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('skips still frames (counted), publishes each state once after K frames, retained, with its JPEG', async () => {
    await helper.load(NODES, flow());
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });
    const finished = collect(helper.getNode('finished') as SpiedNode);
    const caught = collect(helper.getNode('caught') as SpiedNode);
    const out = collect(helper.getNode('out') as SpiedNode);

    /** Sends a msg and waits until the node has finished with it (sent on, skipped, or failed). */
    async function handled(nodeId: string, msg: Msg): Promise<void> {
      const before = finished.length + caught.length;
      (helper.getNode(nodeId) as SpiedNode).receive(msg);
      await waitFor(() => finished.length + caught.length > before, { what: `${nodeId} done`, timeoutMs: 60000 });
      assert.deepEqual(caught, [], 'no frame failed');
    }

    const apple = await sceneFrame('apple');
    const banana = await sceneFrame('banana');
    // "This is: apple / banana", taught from camera frames: the set's region is what is learned.
    await handled('t1', { payload: apple, label: 'apple' });
    await handled('t1', { payload: banana, label: 'banana' });

    const early = await recordAllTopics(broker.url);
    clients.push(early.client);
    const sequence = [...Array(6).fill(apple), ...Array(8).fill(banana)] as Buffer[];
    const firstBanana = 6;
    const sentAt: number[] = [];
    for (const [i, frame] of sequence.entries()) {
      const before = out.length;
      await handled('c1', { payload: frame, frame: { source: 'porch', ts: 1_000_000 + 1000 * i } });
      if (out.length > before) sentAt.push(i);
    }

    // Still frames are not sent on, and each one is counted in the node's status.
    const still = sequence.length - out.length;
    assert.ok(still >= 6, `only ${still} still frames skipped`);
    // The status is throttled to one update a second: the count shows once the last update goes out.
    await waitForStatus(
      helper.getNode('c1') as SpiedNode,
      (s: { text?: string }) => !!s.text?.includes(`${still} still`),
      {
        timeoutMs: 5000,
      },
    );

    // Each state once, the new one on the K-th agreeing frame after the change.
    const changes = out.filter((m) => m.state !== undefined);
    assert.deepEqual(
      changes.map((m) => m.state as { state: string; previous: string | null }).map((s) => [s.previous, s.state]),
      [
        [null, 'apple'],
        ['apple', 'banana'],
      ],
    );
    const confirming = sentAt[out.indexOf(changes[1])];
    assert.equal(confirming, firstBanana + K - 1);
    const bananaState = changes[1].state as { changedAt: number; score: number; classes: string[] };
    assert.equal(bananaState.changedAt, 1_000_000 + 1000 * confirming);
    assert.ok(bananaState.score >= 0.8, `score ${bananaState.score}`);
    assert.ok(Buffer.isBuffer(changes[1].stateImage) && changes[1].stateImage.equals(banana));
    assert.equal((changes[1].payload as Array<{ label: string }>)[0].label, 'banana');

    // Retained: a subscriber arriving now (Home Assistant after a restart) gets state, image and discovery.
    const late = await recordAllTopics(broker.url);
    clients.push(late.client);
    await assertRetainedState(late, { state: 'banana', image: banana, deviceClass: 'occupancy' });

    // A subscriber there all along saw each state once, not once per frame.
    await waitFor(() => (early.got.get('mobilenet/porch/state') ?? []).length >= 2, { what: 'both states' });
    const seen = (topic: string) => (early.got.get(topic) ?? []).map((m) => m.payload);
    assert.deepEqual(seen('mobilenet/porch/state').map(String), ['apple', 'banana']);
    assert.equal(seen('mobilenet/porch/image').length, 2);
  });

  /** Loads the flow, waits for the set, teaches apple and banana from scene frames; `handled` sends and waits. */
  async function taughtFlow(classify: Record<string, unknown> = {}) {
    await helper.load(NODES, flow(classify));
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });
    const finished = collect(helper.getNode('finished') as SpiedNode);
    const caught = collect(helper.getNode('caught') as SpiedNode);
    const out = collect(helper.getNode('out') as SpiedNode);
    const handled = async (nodeId: string, msg: Msg): Promise<void> => {
      const before = finished.length + caught.length;
      (helper.getNode(nodeId) as SpiedNode).receive(msg);
      await waitFor(() => finished.length + caught.length > before, { what: `${nodeId} done`, timeoutMs: 60000 });
      assert.deepEqual(caught, [], 'no frame failed');
    };
    const apple = await sceneFrame('apple');
    const banana = await sceneFrame('banana');
    await handled('t1', { payload: apple, label: 'apple' });
    await handled('t1', { payload: banana, label: 'banana' });
    return { out, handled, apple, banana };
  }

  it('two cameras watched by one set: each keeps its own motion reference, votes and state', async () => {
    const { out, handled, apple, banana } = await taughtFlow();
    const early = await recordAllTopics(broker.url);
    clients.push(early.client);
    // Interleaved: the left camera holds apple, the right one banana. Through one shared watcher every frame
    // would differ from the one before (motion each time) and the votes would alternate: no state at all.
    for (let i = 0; i < 8; i++) {
      await handled('c1', { payload: apple, frame: { source: 'left', ts: 2_000_000 + 1000 * i } });
      await handled('c1', { payload: banana, frame: { source: 'right', ts: 2_000_000 + 1000 * i + 500 } });
    }
    const changes = out.filter((m) => m.state !== undefined);
    assert.deepEqual(
      changes.map((m) => [(m.frame as { source: string }).source, (m.state as { state: string }).state]),
      [
        ['left', 'apple'],
        ['right', 'banana'],
      ],
    );
    // Each camera: its first frame, then the settle frames, are classified; the rest held still.
    assert.ok(out.length <= 2 * K, `${out.length} frames sent on: the still ones of each camera are skipped`);
    await waitForStatus(helper.getNode('c1') as SpiedNode, (s: { text?: string }) => !!s.text?.includes(' still'), {
      timeoutMs: 5000,
    });
    const late = await recordAllTopics(broker.url);
    clients.push(late.client);
    await assertRetainedState(late, { source: 'left', state: 'apple', image: apple, deviceClass: 'occupancy' });
    await assertRetainedState(late, { source: 'right', state: 'banana', image: banana, deviceClass: 'occupancy' });
  });

  it('with the motion gate off every frame is classified (none counted still); K frames still confirm', async () => {
    const { out, handled, apple } = await taughtFlow({ watchMotion: false });
    for (let i = 0; i < 6; i++) await handled('c1', { payload: apple, frame: { source: 'porch', ts: 3_000_000 + i } });
    assert.equal(out.length, 6, 'all six still frames classified and sent on');
    const changes = out.filter((m) => m.state !== undefined);
    assert.deepEqual(
      changes.map((m) => (m.state as { state: string }).state),
      ['apple'],
    );
    assert.equal(out.indexOf(changes[0]), K - 1, 'confirmed on the K-th agreeing frame');
    await waitForStatus(helper.getNode('c1') as SpiedNode, (s: { text?: string }) => !!s.text?.endsWith(' 0 still'), {
      timeoutMs: 5000,
    });
  });

  it('the motion threshold and minimum changed area come from the editor; out of range refused at deploy', async () => {
    // 100 % of the region must change: the banana replacing the apple in the region is not enough.
    const { out, handled, apple, banana } = await taughtFlow({ watchMinArea: '100', watchPixelThreshold: '25' });
    const sequence = [apple, apple, apple, apple, banana, banana, banana, banana];
    for (const [i, frame] of sequence.entries()) {
      await handled('c1', { payload: frame, frame: { source: 'porch', ts: 4_000_000 + 1000 * i } });
    }
    const states = out.filter((m) => m.state !== undefined).map((m) => (m.state as { state: string }).state);
    assert.deepEqual(states, ['apple'], 'the change to banana did not count as motion');

    await helper.unload();
    await helper.load(NODES, flow({ watchPixelThreshold: '300' }));
    const c1 = helper.getNode('c1') as SpiedNode;
    await waitFor(() => c1.error.args.length > 0, { what: 'the refused setting' });
    assert.match(String(c1.error.args[0][0]), /pixelThreshold must be a number from 0 to 255, got 300/);
  });

  it('mqtt-labels refuses a malformed msg.state through done(err) and an unknown device class at deploy', async () => {
    const labels = (id: string, deviceClass: string) => ({
      id,
      z: 'tab',
      type: 'mobilenet-mqtt-labels',
      broker: 'b1',
      deviceClass,
      wires: [['out']],
    });
    await helper.load(NODES, [
      { id: 'tab', type: 'tab' },
      { id: 'b1', type: 'mobilenet-mqtt-broker', url: broker.url },
      labels('mq', 'door'),
      labels('wrong', 'doorbell-ish'),
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: ['mq'], uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ]);
    const caught = collect(helper.getNode('caught') as SpiedNode);
    const out = collect(helper.getNode('out') as SpiedNode);
    const predictions = [{ label: 'open', score: 0.9, index: 0 }];
    const mq = helper.getNode('mq') as SpiedNode;
    mq.receive({ payload: predictions, frame: { source: 'garage' }, state: { state: 42 } });
    await waitFor(() => caught.length > 0, { what: 'the refused msg.state' });
    assert.match((caught[0].error as { message: string }).message, /msg\.state must be \{state, previous/);

    const state = { state: 'open', previous: null, changedAt: 1_000_000, score: 0.9, classes: ['open', 'closed'] };
    mq.receive({ payload: predictions, frame: { source: 'garage' }, state });
    await waitFor(() => out.length > 0, { what: 'the good msg passed on' });
    const wrong = helper.getNode('wrong') as SpiedNode;
    assert.ok(
      wrong.error.args.some((a) =>
        /"doorbell-ish" is not a Home Assistant binary_sensor device class/.test(String(a[0])),
      ),
      JSON.stringify(wrong.error.args),
    );
  });
});
