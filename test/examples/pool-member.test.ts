import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectAsync } from 'mqtt';
import { FramePublisher } from '../../src/mqtt';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { onTeardown, sleep, waitFor } from '../helpers';
import { distNode, helper } from '../helpers/node-red';
import { startMosquitto, type MosquittoBroker } from '../mqtt/helpers/brokers';
import { MOSQUITTO_MISSING } from '../mqtt/helpers/test-broker';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'Pool member - mqtt in - classify - labels.json');
const CORE_NODES = path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core');
const coreMqtt = require(path.join(CORE_NODES, 'network', '10-mqtt.js')) as unknown;
const coreFunction = require(path.join(CORE_NODES, 'function', '10-function.js')) as unknown;
const coreComment = require(path.join(CORE_NODES, 'common', '90-comment.js')) as unknown;

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The example as imported, with the fixture model for the catalog download and the test broker for localhost. */
function exampleForThisMachine(brokerUrl: string): FlowNode[] {
  const url = new URL(brokerUrl);
  const nodes = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
  return [
    { id: 'tab', type: 'tab' },
    ...nodes.map((n): FlowNode => {
      const placed = 'x' in n ? { ...n, z: 'tab' } : { ...n };
      if (n.type === 'mobilenet-model') return { ...placed, source: 'path', path: V1_025_LAYERS_DIR, backend: 'wasm' };
      if (n.type === 'mqtt-broker') return { ...placed, broker: url.hostname, port: url.port };
      if (n.type === 'mobilenet-mqtt-broker') return { ...placed, url: brokerUrl };
      return placed;
    }),
  ];
}

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('example: Pool member - mqtt in - classify - labels', () => it.skip(missing, () => undefined));
} else {
  describe('example: Pool member - mqtt in - classify - labels', function () {
    this.timeout(60000);
    let broker: MosquittoBroker;

    beforeEach(async () => {
      broker = await startMosquitto();
      await helper.startServer();
    });

    afterEach(async () => {
      await helper.unload();
      await helper.stopServer();
      await broker.dispose();
    });

    it('takes frames through a shared subscription and publishes their labels under their own source', async () => {
      const labels: Array<{ source: string; seq: number; ts: number; member: string; top: string }> = [];
      const watcher = await connectAsync(broker.url, { protocolVersion: 5 });
      onTeardown('watcher', () => watcher.endAsync(true));
      watcher.on('message', (topic, payload) => {
        if (!topic.endsWith('/labels')) return;
        const json = JSON.parse(payload.toString()) as Omit<(typeof labels)[0], 'top'> & {
          predictions: Array<{ label: string }>;
        };
        labels.push({
          source: json.source,
          seq: json.seq,
          ts: json.ts,
          member: json.member,
          top: json.predictions[0].label,
        });
      });
      await watcher.subscribeAsync('mobilenet/+/labels', { qos: 1 });
      const flow = exampleForThisMachine(broker.url);
      await helper.load(
        [
          distNode('mobilenet-model'),
          distNode('mobilenet-classify'),
          distNode('mobilenet-mqtt-broker'),
          distNode('mobilenet-mqtt-labels'),
          coreMqtt,
          coreFunction,
          coreComment,
        ],
        flow,
      );
      await sleep(1000); // the mqtt in node subscribes once connected
      const camera = new FramePublisher({ url: broker.url }, { qos: 1 });
      onTeardown('camera', () => camera.close());
      await camera.waitUntilConnected();
      const jpeg = readImage('parrot.jpg');
      const ts = Date.now();
      await camera.publish({ source: 'gate', seq: 7, ts, jpeg });
      await camera.publish({ source: 'gate', seq: 8, ts: Date.now() - 60_000, jpeg }); // too old: dropped
      await camera.publish({ source: 'Back Yard', seq: 1, ts: ts + 1, jpeg });
      await waitFor(() => labels.length >= 2, {
        what: () => `two labels messages, got ${JSON.stringify(labels)}`,
        timeoutMs: 40000,
      });
      await sleep(500);
      assert.deepEqual(
        labels.sort((a, b) => a.ts - b.ts),
        [
          { source: 'gate', seq: 7, ts, member: 'member-1', top: 'macaw' },
          { source: 'back_yard', seq: 1, ts: ts + 1, member: 'member-1', top: 'macaw' },
        ],
      );
    });
  });
}
