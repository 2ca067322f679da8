import assert from 'node:assert/strict';
import sharp from 'sharp';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { startMjpegServer, type TestServer } from '../frames/mjpeg-server';
import { MOSQUITTO_MISSING } from '../mqtt/helpers/test-broker';
import { startMosquitto, type MosquittoBroker } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';
import { lastStatusOf, said, statusesOf, waitFor } from '../helpers';
import { collect, distNode, helper, type SpiedNode } from '../helpers/node-red';

const PREFIX = 'faults';
const LABELS = `${PREFIX}/door/labels`;
const LABEL = `${PREFIX}/door/label`;
const AVAILABLE = `${PREFIX}/available`;

/** camera (MJPEG over HTTP, 5 fps) → classify → labels → a real Mosquitto, as a user wires it. */
function flow(cameraUrl: string, brokerUrl: string): object[] {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'model',
      type: 'mobilenet-model',
      source: 'path',
      path: V1_025_LAYERS_DIR,
      backend: 'wasm',
      queueSize: 2,
      queuePolicy: 'drop-oldest',
      fit: 'fill',
    },
    // keepalive 2 s: a frozen broker is noticed in seconds, not the default minute.
    {
      id: 'broker',
      type: 'mobilenet-mqtt-broker',
      url: brokerUrl,
      keepalive: 2,
      cleanSession: true,
      protocol: '3.1.1',
    },
    {
      id: 'camera',
      z: 'tab',
      type: 'mobilenet-camera',
      name: 'door',
      kind: 'mjpeg-url',
      url: cameraUrl,
      maxFps: 0,
      autostart: true,
      restartMin: 0.2,
      restartMax: 1,
      wires: [['classify']],
    },
    {
      id: 'classify',
      z: 'tab',
      type: 'mobilenet-classify',
      model: 'model',
      topK: 3,
      wires: [['labels', 'classified']],
    },
    {
      id: 'labels',
      z: 'tab',
      type: 'mobilenet-mqtt-labels',
      broker: 'broker',
      prefix: PREFIX,
      labelsMode: 'every',
      discovery: false,
      qosLabels: 1,
      wires: [],
    },
    { id: 'classified', z: 'tab', type: 'helper' },
  ];
}

/**
 * The broker fails under a running pipeline: stopped, killed outright, or frozen with its sockets
 * open (SIGSTOP: what a hung broker or a suspended VM looks like to a client). Each time the
 * camera and classifier keep going, the label publisher shows the outage, comes back by itself,
 * and the next frame's labels reach a subscriber; nothing crashes and no error repeats per frame.
 */
describe('faults: the MQTT broker under a running camera → classify → labels flow', function () {
  this.timeout(90000);
  let mosquitto: MosquittoBroker;
  let camera: TestServer;
  let sub: RecordingSubscriber;
  let classified: Array<Record<string, unknown>>;
  let labels: SpiedNode;

  before(async function () {
    if (MOSQUITTO_MISSING) return this.skip();
    mosquitto = await startMosquitto({ persistence: true });
    const jpeg = await sharp(readImage('parrot.jpg')).resize(320, 240, { fit: 'fill' }).jpeg().toBuffer();
    camera = await startMjpegServer({ frames: [jpeg], intervalMs: 200, contentLength: true });
    sub = await RecordingSubscriber.connect(mosquitto.url, [`${PREFIX}/#`]);
    await helper.startServer();
    await helper.load(
      [
        distNode('mobilenet-camera'),
        distNode('mobilenet-model'),
        distNode('mobilenet-classify'),
        distNode('mobilenet-mqtt-broker'),
        distNode('mobilenet-mqtt-labels'),
      ],
      flow(camera.url, mosquitto.url),
    );
    classified = collect(helper.getNode('classified')!);
    labels = helper.getNode('labels')!;
    await sub.waitFor((m) => m.some((x) => x.topic === LABELS), { what: 'the first labels', timeoutMs: 30000 });
  });

  after(async function () {
    if (MOSQUITTO_MISSING) return;
    await helper.unload();
    await helper.stopServer();
    await sub.close();
    await camera.close();
    await mosquitto.dispose();
  });

  /** Labels published after `since`, read from the payload's own timestamp. */
  const labelsSince = (since: number): number =>
    sub.on(LABELS).filter((m) => (JSON.parse(m.payload) as { ts: number }).ts > since).length;

  async function outageAndRecovery(fault: () => Promise<void>, recover: () => Promise<void>): Promise<void> {
    const statusesBefore = statusesOf(labels).length;
    const warnsBefore = said(labels, 'warn').length;
    await fault();
    await waitFor(
      () =>
        statusesOf(labels)
          .slice(statusesBefore)
          .some((s) => s.fill !== 'green'),
      { what: 'the labels node to show the broker gone', timeoutMs: 20000 },
    );
    const classifiedDuringOutage = classified.length;
    await waitFor(() => classified.length >= classifiedDuringOutage + 3, {
      what: 'frames still classified while the broker is gone',
      timeoutMs: 10000,
    });
    const recoveredAt = Date.now();
    await recover();
    await waitFor(() => lastStatusOf(labels)?.fill === 'green', {
      what: `a green status again (last: ${JSON.stringify(lastStatusOf(labels))})`,
      timeoutMs: 30000,
    });
    await sub.waitFor(() => labelsSince(recoveredAt) >= 2, {
      what: 'labels of frames taken after the broker came back',
      timeoutMs: 20000,
    });
    const latest = JSON.parse(sub.on(LABELS).at(-1)!.payload) as { predictions: Array<{ label: string }> };
    assert.equal(latest.predictions[0]!.label.split(',')[0], 'macaw');
    // The retained state a restarted Home Assistant reads is there too.
    assert.ok(
      sub.on(AVAILABLE).some((m) => m.payload === 'online'),
      'online published',
    );
    assert.ok(sub.on(LABEL).length > 0, 'top label published');
    // An outage is a status, not a flood of log lines: at most one warning per distinct problem.
    const warns = said(labels, 'warn').slice(warnsBefore);
    assert.equal(new Set(warns).size, warns.length, `a warning repeated: ${JSON.stringify(warns)}`);
    assert.ok(warns.length <= 2, `warnings: ${JSON.stringify(warns)}`);
  }

  it('stopped (SIGTERM) and started again', async () => {
    await outageAndRecovery(
      () => mosquitto.stop(),
      () => mosquitto.start(),
    );
  });

  it('killed (SIGKILL) and started again', async () => {
    await outageAndRecovery(
      async () => {
        mosquitto.signal('SIGKILL');
        await mosquitto.stop(); // waits for the exit
      },
      () => mosquitto.start(),
    );
  });

  it('frozen (SIGSTOP) with its sockets open, then thawed (SIGCONT)', async () => {
    await outageAndRecovery(
      async () => mosquitto.signal('SIGSTOP'),
      async () => mosquitto.signal('SIGCONT'),
    );
  });

  it('never failed a frame on the classify side (frames dropped by the queue policy aside)', () => {
    // A loaded machine can fall behind the 5 fps camera; drop-oldest then drops frames, on purpose.
    assert.deepEqual(
      said(helper.getNode('classify')!, 'error').filter((e) => !/^Frame dropped: evicted by a newer frame/.test(e)),
      [],
    );
    assert.ok(classified.length > 20, `${classified.length} frames classified`);
  });
});
