import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR } from '../fixtures';
import { freePort } from '../mqtt/helpers/brokers';
import { aedesFactory, type TestBroker } from '../mqtt/helpers/test-broker';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { said, waitFor, waitForStatus } from '../helpers';
import { distNode, helper } from '../helpers/node-red';

// The module the nodes use (Node's module cache), for the status wording on its own.
const advice = require('../../nodes/shared/model-advice') as typeof import('../../nodes/shared/model-advice');

const nodes = ['mobilenet-model', 'mobilenet-classify', 'mobilenet-mqtt-broker', 'mobilenet-mqtt-labels'].map(distNode);

/**
 * What a Home Assistant user sees when the model is missing: `<prefix>/available` (every entity's
 * availability topic) is `offline` while no model can classify, and the node says why and what to do.
 */
describe('availability follows the model (mqtt-labels "Availability follows")', function () {
  this.timeout(120_000);
  let broker: TestBroker;
  let subscriber: RecordingSubscriber | undefined;
  let cache: string;
  let previousCache: string | undefined;

  const flow = (modelPath: string): object[] => [
    { id: 'tab', type: 'tab' },
    { id: 'm1', type: 'mobilenet-model', source: 'path', path: modelPath, backend: 'wasm', queueSize: 2 },
    { id: 'b1', type: 'mobilenet-mqtt-broker', url: broker.url, protocol: '3.1.1', keepalive: 30, cleanSession: true },
    { id: 'c1', z: 'tab', type: 'mobilenet-classify', model: 'm1', wires: [['l1']] },
    { id: 'l1', z: 'tab', type: 'mobilenet-mqtt-labels', broker: 'b1', model: 'm1', prefix: 'avail', statsInterval: 0 },
  ];

  beforeEach(async () => {
    broker = await aedesFactory();
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'availability-cache-'));
    previousCache = process.env.MOBILENET_CACHE;
    process.env.MOBILENET_CACHE = cache;
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await subscriber?.close();
    subscriber = undefined;
    await broker.dispose();
    if (previousCache === undefined) delete process.env.MOBILENET_CACHE;
    else process.env.MOBILENET_CACHE = previousCache;
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('stays offline when the model cannot be downloaded (a refusing server), and says why and what to do', async () => {
    // Nothing listens on this port: the download is refused, as with no internet.
    const url = `http://127.0.0.1:${await freePort()}/mobilenet/model.json`;
    await helper.load(nodes, flow(url));
    const classify = helper.getNode('c1')!;
    const labels = helper.getNode('l1')!;
    const failed = await waitForStatus(classify, (s) => s.fill === 'red', { timeoutMs: 60_000 });
    // The cause fits under the node: not cut off in the middle of the URL.
    assert.match(failed.text!, /^model not loaded: download from 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
    assert.ok(failed.text!.length <= 100, failed.text);
    const labelsStatus = await waitForStatus(labels, (s) => /offline/.test(s.text ?? ''), { timeoutMs: 10_000 });
    assert.match(labelsStatus.text!, /offline: the model failed to load/);
    subscriber = await RecordingSubscriber.connect(broker.url, ['avail/available']);
    const retained = await waitFor(() => subscriber?.messages.find((m) => m.topic === 'avail/available'), {
      what: 'the retained availability',
    });
    assert.equal(retained.payload, 'offline');
    assert.ok(retained.retain);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!subscriber.messages.some((m) => m.payload === 'online'), JSON.stringify(subscriber.messages));
    // The log says what to do.
    const warned = said(classify, 'warn').join('\n');
    assert.match(warned, /model could not be loaded: Download of .* failed/);
    assert.match(warned, /Without internet, choose a model on disk .* npx mobilenet fetch http:\/\/127\.0\.0\.1/);
  });

  it('goes online once a model on disk has loaded', async () => {
    await helper.load(nodes, flow(V1_025_LAYERS_DIR));
    await waitForStatus(helper.getNode('c1')!, (s) => s.fill === 'green', { timeoutMs: 60_000 });
    subscriber = await RecordingSubscriber.connect(broker.url, ['avail/available']);
    const retained = await waitFor(() => subscriber?.messages.find((m) => m.topic === 'avail/available'), {
      what: 'the retained availability',
    });
    assert.equal(retained.payload, 'online');
    await waitForStatus(helper.getNode('l1')!, (s) => s.text === 'connected' && s.fill === 'green');
  });

  it('words a failed catalog download without internet so the cause fits under the node', function () {
    const url = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json';
    const error = new Error(`Download of ${url} failed: getaddrinfo ENOTFOUND storage.googleapis.com`);
    const text = `model not loaded: ${advice.shortLoadReason(error)}`;
    assert.equal(
      text,
      'model not loaded: download from storage.googleapis.com failed: ENOTFOUND (no DNS: no internet?)',
    );
    assert.ok(text.length <= 100, `${text.length} characters`);
  });
});
