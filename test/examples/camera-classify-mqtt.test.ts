import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR, imagePath } from '../fixtures';
import { aedesFactory, type TestBroker } from '../mqtt/helpers/test-broker';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { waitForStatus } from '../helpers';
import { distNode, helper } from '../helpers/node-red';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'Camera - classify - MQTT.json');
const CORE_NODES = path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core');
// The example's core nodes (mqtt out, mqtt-broker, inject, comment), loaded the way Node-RED loads
// them; a flow with an unknown node type would not start at all.
const coreMqtt = require(path.join(CORE_NODES, 'network', '10-mqtt.js')) as unknown;
const coreInject = require(path.join(CORE_NODES, 'common', '20-inject.js')) as unknown;
const coreComment = require(path.join(CORE_NODES, 'common', '90-comment.js')) as unknown;

type FlowNode = Record<string, unknown> & { id: string; type: string };

/**
 * The example as a user imports it, with only what this machine lacks swapped: ffmpeg looping a
 * real photo stands in for the Pi camera, the fixture model for the catalog download, and a
 * loopback broker for localhost:1883.
 */
function exampleForThisMachine(brokerUrl: string): FlowNode[] {
  const nodes = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
  const url = new URL(brokerUrl);
  return [
    { id: 'tab', type: 'tab' },
    ...nodes.map((n): FlowNode => {
      // Flow nodes (those placed on the workspace) go on the test tab; config nodes stay global.
      const placed = 'x' in n ? { ...n, z: 'tab' } : { ...n };
      if (n.type === 'mobilenet-camera') {
        return {
          ...placed,
          command: '/usr/bin/ffmpeg',
          args:
            `-hide_banner -loglevel error -re -loop 1 -i '${imagePath('parrot.jpg')}' -vf scale=320:-2 -r 5 -f ` +
            `mjpeg -`,
        };
      }
      if (n.type === 'mobilenet-model')
        return { ...placed, source: 'path', path: V1_025_LAYERS_DIR, backend: 'wasm', fit: 'fill' };
      if (n.type === 'mqtt-broker') return { ...placed, broker: url.hostname, port: url.port };
      return placed;
    }),
  ];
}

describe('example: Camera - classify - MQTT', function () {
  this.timeout(60000);
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

  it("uses only this package's node types and core ones, every wire and config reference resolves", function () {
    const nodes = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
    const ids = new Set(nodes.map((n) => n.id));
    const types = new Set(nodes.map((n) => n.type));
    assert.deepEqual([...types].sort(), [
      'comment',
      'inject',
      'mobilenet-camera',
      'mobilenet-classify',
      'mobilenet-model',
      'mqtt out',
      'mqtt-broker',
    ]);
    for (const n of nodes) {
      for (const wire of ((n.wires as string[][] | undefined) ?? []).flat())
        assert.ok(ids.has(wire), `${n.id} wires to missing ${wire}`);
    }
    assert.ok(ids.has(nodes.find((n) => n.type === 'mobilenet-classify')!.model as string));
    assert.ok(ids.has(nodes.find((n) => n.type === 'mqtt out')!.broker as string));
    assert.ok(
      nodes.some((n) => n.type === 'comment' && typeof n.info === 'string' && n.info.length > 200),
      'a comment explains the flow',
    );
  });

  it('publishes macaw predictions over MQTT for ffmpeg frames of the parrot photo', async () => {
    const flow = exampleForThisMachine(broker.url);
    sub = await RecordingSubscriber.connect(broker.url, ['mobilenet/#']);
    await helper.load(
      [
        distNode('mobilenet-camera'),
        distNode('mobilenet-model'),
        distNode('mobilenet-classify'),
        coreMqtt,
        coreInject,
        coreComment,
      ],
      flow,
    );
    await sub.waitFor((m) => m.length >= 2, { what: 'two predictions messages', timeoutMs: 40000 });
    const [first] = sub.messages;
    assert.equal(first!.topic, 'mobilenet/pi-camera/predictions');
    const predictions = JSON.parse(first!.payload) as Array<{ label: string; score: number; index: number }>;
    assert.equal(predictions.length, 3, 'top 3, as the example configures');
    assert.equal(predictions[0]!.label, 'macaw');

    // The example's stop inject: the camera stops and nothing more is published.
    const camera = flow.find((n) => n.type === 'mobilenet-camera')!;
    const stop = flow.find((n) => n.type === 'inject' && n.payload === 'stop')!;
    helper.getNode(stop.id)!.receive({});
    const cam = helper.getNode(camera.id)!;
    await waitForStatus(cam, (s) => s.fill === 'grey', { what: 'the camera to stop', timeoutMs: 10000 });
    const count = sub.messages.length;
    await new Promise((r) => setTimeout(r, 1500));
    // A frame already in the classifier may still come out; no new frames are taken.
    assert.ok(sub.messages.length <= count + 1, `${sub.messages.length - count} messages after stop`);
  });
});
