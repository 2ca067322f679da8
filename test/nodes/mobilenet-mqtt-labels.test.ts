import assert from 'node:assert/strict';
import * as path from 'node:path';
import { discoveryTopic } from '../../src/mqtt/ha-discovery';
import { aedesFactory, type TestBroker } from '../mqtt/helpers/test-broker';
import { referenceFrame } from '../mqtt/helpers/reference-frames';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';

import { nextEvent, waitForStatus } from '../helpers';
import { distNode, helper } from '../helpers/node-red';

const DIST_NODES = path.join(__dirname, '..', '..', 'nodes');
const brokerNode = require(path.join(DIST_NODES, 'mobilenet-mqtt-broker', 'mobilenet-mqtt-broker.js')) as unknown;
const labelsNode = distNode('mobilenet-mqtt-labels');

/** A msg exactly as the classify node emits it, with real predictions for a fixture photo. */
function classifyMessage(photo: string, seq: number, source = 'porch'): object {
  const frame = referenceFrame(photo, seq, 1_700_000_000_000 + seq * 100, source);
  return {
    payload: frame.predictions,
    classification: {
      top: frame.predictions[0],
      predictions: frame.predictions,
      model: frame.model,
      timings: frame.timings,
      queue: frame.queue,
    },
    frame: { source, seq, ts: frame.ts },
  };
}

describe('mobilenet-mqtt-labels node', function () {
  this.timeout(20000);
  let broker: TestBroker;
  let sub: RecordingSubscriber | undefined;
  let n = 0;
  let prefix: string;

  const flow = (extra: object = {}): object[] => [
    { id: 'tab', type: 'tab' },
    {
      id: 'b1',
      z: 'tab',
      type: 'mobilenet-mqtt-broker',
      url: broker.url,
      protocol: '3.1.1',
      keepalive: 30,
      cleanSession: true,
    },
    {
      id: 'n1',
      z: 'tab',
      type: 'mobilenet-mqtt-labels',
      broker: 'b1',
      prefix,
      source: '',
      labelsMode: 'every',
      statsInterval: 0,
      discovery: true,
      watched: [{ label: 'espresso', on: 0.6, off: 0.3, frames: 1, hold: 0 }],
      wires: [['out']],
      ...extra,
    },
    { id: 'out', z: 'tab', type: 'helper' },
  ];

  beforeEach(async () => {
    prefix = `nodetest${n++}/mobilenet`;
    broker = await aedesFactory({ users: { camera: 'right-horse-battery' } });
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    if (sub) await sub.close();
    sub = undefined;
    await broker.dispose();
  });

  it('publishes a classify msg (payload, classification, frame) and passes it on with msg.mqtt', async () => {
    await helper.load([brokerNode, labelsNode], flow(), { b1: { user: 'camera', password: 'right-horse-battery' } });
    sub = await RecordingSubscriber.connect(broker.url, [`${prefix}/#`], {
      username: 'camera',
      password: 'right-horse-battery',
    });
    const node = helper.getNode('n1')!;
    const out = helper.getNode('out')!;
    // Node-RED's own word for it (node-red:common.status.connected), as its MQTT nodes say it.
    const connected = await waitForStatus(node, (s) => s.fill === 'green');
    assert.deepEqual(connected, { fill: 'green', shape: 'dot', text: 'connected' });
    const received = nextEvent(out, 'input', { what: 'the msg passed on' });
    node.receive(classifyMessage('coffee.png', 1));
    const msg = (await received) as {
      mqtt: { source: string; top: string; topChanged: boolean; switched: unknown[]; state: string };
    };
    assert.equal(msg.mqtt.source, 'porch');
    assert.equal(msg.mqtt.top, 'espresso');
    assert.deepEqual(msg.mqtt.switched, [{ label: 'espresso', state: 'ON' }]);
    await sub.waitFor((m) => m.filter((x) => x.topic === `${prefix}/porch/espresso`).length >= 2, {
      what: 'espresso OFF then ON',
    });
    assert.deepEqual(
      sub.on(`${prefix}/porch/label`).map((m) => m.payload),
      ['espresso'],
    );
    assert.deepEqual(
      sub.on(`${prefix}/porch/espresso`).map((m) => m.payload),
      ['OFF', 'ON'],
    );
    assert.equal(sub.on(`${prefix}/porch/labels`).length, 1);
  });

  it('uses the configured source when msg.frame is absent', async () => {
    await helper.load([brokerNode, labelsNode], flow({ source: 'Garden Cam' }), {
      b1: { user: 'camera', password: 'right-horse-battery' },
    });
    sub = await RecordingSubscriber.connect(broker.url, [`${prefix}/+/label`], {
      username: 'camera',
      password: 'right-horse-battery',
    });
    const node = helper.getNode('n1')!;
    await waitForStatus(node, (s) => s.fill === 'green');
    const { payload } = classifyMessage('parrot.jpg', 1) as { payload: unknown };
    node.receive({ payload });
    await sub.waitFor((m) => m.length >= 1, { what: 'label' });
    assert.deepEqual([sub.messages[0].topic, sub.messages[0].payload], [`${prefix}/garden_cam/label`, 'macaw']);
  });

  it('reports a malformed msg through done(err) so a Catch node sees it, shows it, and keeps working', async () => {
    await helper.load([brokerNode, labelsNode], flow(), { b1: { user: 'camera', password: 'right-horse-battery' } });
    const node = helper.getNode('n1')!;
    await waitForStatus(node, (s) => s.fill === 'green');
    const errored = nextEvent(node, 'call:error', { what: 'an error call' });
    node.receive({ payload: 'not predictions' });
    const call = (await errored) as { args: unknown[] };
    assert.match(String(call.args[0]), /msg.payload must be the predictions array/);
    assert.ok(call.args[1], 'the error carries the msg (Catch-able)');
    const failed = await waitForStatus(node, (s) => s.fill === 'red');
    assert.match(failed.text ?? '', /^msg.payload must be the predictions array/);
    assert.ok((failed.text ?? '').length <= 100, `status text cut to 100 characters: ${failed.text}`);
    const passed = nextEvent(helper.getNode('out')!, 'input', { what: 'the msg passed on' });
    node.receive(classifyMessage('coffee.png', 1));
    await passed;
    await waitForStatus(node, (s) => s.fill === 'green' && s.text === 'connected');
  });

  it('shows a wrong password as a red status with a clear error, never the password', async () => {
    const wrong = 'wrong-horse-battery-9137';
    await helper.load([brokerNode, labelsNode], flow(), { b1: { user: 'camera', password: wrong } });
    const node = helper.getNode('n1')!;
    const status = await waitForStatus(node, (s) => s.fill === 'red');
    assert.match(status.text ?? '', /refused the connection: bad username or password/);
    const warned = node.warn.args.map((a) => String(a[0]));
    assert.ok(warned.some((w) => /bad username or password/.test(w)));
    const everything = JSON.stringify([
      node.status.args,
      node.warn.args,
      node.error.args,
      helper.log().args.map((a) => String(JSON.stringify(a))),
    ]);
    assert.ok(!everything.includes(wrong), 'password leaked into status or log');
    // Still working: frames wait in the bounded queue until the credentials are fixed.
    const received = nextEvent(helper.getNode('out')!, 'input', { what: 'the msg passed on' });
    node.receive(classifyMessage('coffee.png', 1));
    const msg = (await received) as { mqtt: { state: string; queued: number } };
    assert.equal(msg.mqtt.state, 'error');
    assert.ok(msg.mqtt.queued > 0);
  });

  it('removes the Home Assistant device only when the node is deleted, not on redeploy', async () => {
    const creds = { b1: { user: 'camera', password: 'right-horse-battery' } };
    await helper.load([brokerNode, labelsNode], flow(), creds);
    const topic = discoveryTopic(prefix, 'porch');
    sub = await RecordingSubscriber.connect(broker.url, [topic], {
      username: 'camera',
      password: 'right-horse-battery',
    });
    let node = helper.getNode('n1')!;
    await waitForStatus(node, (s) => s.fill === 'green');
    node.receive(classifyMessage('coffee.png', 1));
    await sub.waitFor((m) => m.length >= 1, { what: 'discovery' });
    const config = JSON.parse(sub.messages[0].payload) as { cmps: Record<string, { p: string }> };
    assert.deepEqual(
      Object.values(config.cmps).map((c) => c.p),
      ['sensor', 'sensor', 'binary_sensor'],
    );

    // Redeploy with a changed property: the node restarts (removed = false), the device stays.
    await helper.setFlows(flow({ name: 'renamed' }), 'nodes', creds);
    node = helper.getNode('n1')!;
    await waitForStatus(node, (s) => s.fill === 'green');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(
      sub.messages.every((m) => m.payload !== ''),
      'a redeploy must not delete the device',
    );

    // Delete the node: an empty retained config removes the device from Home Assistant.
    await helper.setFlows(
      flow().filter((x) => (x as { id: string }).id !== 'n1'),
      'nodes',
      creds,
    );
    await sub.waitFor((m) => m.some((x) => x.payload === ''), { what: 'empty discovery config' });
  });
});
