import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { LabelPublisher, type LabelPublisherOptions, type PublisherStatus } from '../../../src/mqtt';
import { discoveryTopic } from '../../../src/mqtt/ha-discovery';
import type { BrokerSettings } from '../../../src/mqtt';
import { referenceFrame, referencePredictions } from './reference-frames';
import { nextEvent, type WaitOptions, whatOf } from '../../helpers';
import { RecordingSubscriber } from './subscriber';
import type { BrokerFactory, TestBroker } from './test-broker';

const ESPRESSO_ON = { label: 'espresso', onThreshold: 0.6, offThreshold: 0.3, onFrames: 1, holdMs: 0 };

/** The publisher's status once it passes `test`: the current one, or the first such status event. */
function publisherStatus(
  p: LabelPublisher,
  test: (s: PublisherStatus) => boolean,
  options: WaitOptions,
): Promise<PublisherStatus> {
  const what = (): string => `${whatOf(options.what)}; status ${JSON.stringify(p.status())}`;
  return nextEvent(p, 'status', {
    matching: test,
    current: () => p.status(),
    what,
    timeoutMs: options.timeoutMs ?? 5000,
  });
}

/** The same behaviour checked against any broker (aedes in-process, Mosquitto 2 as a process). */
export function publisherSuite(kind: string, factory: BrokerFactory): void {
  describe(`LabelPublisher against ${kind}`, function () {
    this.timeout(20000);
    let broker: TestBroker | undefined;
    const cleanups: Array<() => Promise<unknown>> = [];
    let prefixCounter = 0;
    const prefix = (): string => `t${process.pid}_${Date.now() % 100000}_${prefixCounter++}/mobilenet`;

    function publisher(settings: Partial<BrokerSettings>, options: LabelPublisherOptions): LabelPublisher {
      const p = new LabelPublisher(
        { url: broker!.url, reconnectPeriodMs: 100, ...settings },
        { discoveryJitterMs: 0, statsIntervalMs: 0, ...options },
      );
      cleanups.push(() => p.close({ timeoutMs: 1000 }));
      return p;
    }
    async function subscriber(topics: string[], options = {}): Promise<RecordingSubscriber> {
      const s = await RecordingSubscriber.connect(broker!.url, topics, options);
      cleanups.push(() => s.close());
      return s;
    }

    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
      if (broker) await broker.dispose();
      broker = undefined;
    });

    it('publishes availability, the top label on change, labels JSON and retained ON/OFF with hysteresis', async () => {
      broker = await factory();
      const pre = prefix();
      const sub = await subscriber([`${pre}/#`]);
      const p = publisher(
        {},
        { prefix: pre, watch: [{ label: 'espresso', onThreshold: 0.6, offThreshold: 0.3, onFrames: 2, holdMs: 1000 }] },
      );
      await p.waitUntilConnected();
      const photos = ['coffee.png', 'coffee.png', 'coffee.png', 'parrot.jpg', 'parrot.jpg', 'parrot.jpg'];
      const ts = [0, 100, 200, 300, 900, 1400].map((t) => 1_700_000_000_000 + t);
      const outcomes = photos.map((photo, i) => p.publish(referenceFrame(photo, i, ts[i])));
      // ON after the 2nd strong frame; OFF once weak for >= 1000 ms (first weak at 300, 1400 - 300 >= 1000).
      assert.deepEqual(
        outcomes.map((o) => o.switched.map((s) => s.state).join()),
        ['', 'ON', '', '', '', 'OFF'],
      );
      await sub.waitFor((m) => m.filter((x) => x.topic === `${pre}/porch/espresso`).length >= 3, {
        what: 'espresso OFF',
      });
      await sub.waitFor((m) => m.filter((x) => x.topic === `${pre}/porch/labels`).length >= 6, {
        what: 'six labels messages',
      });

      assert.deepEqual(
        sub.on(`${pre}/available`).map((m) => m.payload),
        ['online'],
      );
      assert.deepEqual(
        sub.on(`${pre}/porch/label`).map((m) => m.payload),
        ['espresso', 'macaw'],
      );
      assert.deepEqual(
        sub.on(`${pre}/porch/espresso`).map((m) => m.payload),
        ['OFF', 'ON', 'OFF'],
      );
      const labels = sub.on(`${pre}/porch/labels`).map(
        (m) =>
          JSON.parse(m.payload) as {
            ts: number;
            source: string;
            model: string;
            predictions: unknown[];
            timings: object;
          },
      );
      assert.equal(labels.length, 6);
      assert.deepEqual(labels[0].predictions, referencePredictions().get('coffee.png'));
      // The frame's seq and ts, so a consumer can tie every result to its frame.
      assert.deepEqual(Object.keys(labels[0]).sort(), ['model', 'predictions', 'seq', 'source', 'timings', 'ts']);
      assert.equal(labels[3].ts, ts[3]);
      assert.equal(labels[0].source, 'porch');

      // A subscriber arriving later gets the retained state, flagged retained; labels JSON is not retained.
      const late = await subscriber([`${pre}/#`]);
      await late.waitFor((m) => m.length >= 3, { what: 'retained state' });
      const retained = Object.fromEntries(late.messages.map((m) => [m.topic, [m.payload, m.retain]]));
      assert.deepEqual(retained, {
        [`${pre}/available`]: ['online', true],
        [`${pre}/porch/label`]: ['macaw', true],
        [`${pre}/porch/espresso`]: ['OFF', true],
      });
    });

    it('sends labels JSON only when the top label changes in "change" mode, and stats on demand', async () => {
      broker = await factory();
      const pre = prefix();
      const sub = await subscriber([`${pre}/#`]);
      const p = publisher({}, { prefix: pre, labelsMode: 'change', discovery: false, qos: { stats: 1 } });
      await p.waitUntilConnected();
      for (const [i, photo] of ['parrot.jpg', 'parrot.jpg', 'owl.jpg', 'owl.jpg', 'parrot.jpg'].entries())
        p.publish(referenceFrame(photo, i, 1000 + i));
      const snap = p.publishStats();
      await sub.waitFor((m) => m.some((x) => x.topic === `${pre}/stats`), { what: 'stats' });
      assert.deepEqual(
        sub
          .on(`${pre}/porch/labels`)
          .map((m) => (JSON.parse(m.payload) as { predictions: Array<{ label: string }> }).predictions[0].label),
        ['macaw', 'ruffed grouse, partridge, Bonasa umbellus', 'macaw'],
      );
      const stats = JSON.parse(sub.on(`${pre}/stats`)[0].payload) as typeof snap;
      assert.equal(stats.frames, 5);
      assert.equal(stats.latencyMs.p50, 16);
      assert.deepEqual(stats.sources, ['porch']);
      assert.ok(stats.memory.rssMB > 0);
      assert.deepEqual(stats.mqtt, { queued: 0, dropped: 0, skippedQos0: 0 });
    });

    it('publishes stats on its own every interval', async () => {
      broker = await factory();
      const pre = prefix();
      const sub = await subscriber([`${pre}/stats`]);
      const p = publisher({}, { prefix: pre, discovery: false, statsIntervalMs: 200 });
      await p.waitUntilConnected();
      for (let i = 0; i < 4; i++) p.publish(referenceFrame('owl.jpg', i, i));
      await sub.waitFor((m) => m.length >= 2, { what: 'two stats messages' });
      const [first, second] = sub.messages.map(
        (m) => JSON.parse(m.payload) as { frames: number; intervalMs: number; fps: number },
      );
      assert.equal(first.frames + second.frames, 4);
      assert.ok(first.intervalMs >= 150 && first.intervalMs < 1000, `interval ${first.intervalMs} ms`);
      assert.ok(first.fps > 0);
    });

    it(
      'announces a Home Assistant device, re-sends it on homeassistant/status online, removes it on ' + 'delete',
      async () => {
        broker = await factory();
        const pre = prefix();
        const topic = discoveryTopic(pre, 'porch');
        const ha = await subscriber([topic]);
        const watch = [ESPRESSO_ON, { label: 'macaw' }];
        const p = publisher({}, { prefix: pre, watch });
        await p.waitUntilConnected();
        p.publish(referenceFrame('coffee.png', 1, 1000));
        await ha.waitFor((m) => m.length >= 1, { what: 'discovery' });
        const config = JSON.parse(ha.messages[0].payload) as {
          dev: { ids: string[]; name: string };
          o: { name: string; sw: string; url: string };
          cmps: Record<string, { p: string; unique_id: string; state_topic: string }>;
          availability_topic: string;
        };
        assert.equal(ha.messages[0].retain, false);
        assert.equal(config.o.name, 'node-red-contrib-mobilenet-mqtt');
        assert.match(config.o.sw, /^\d+\.\d+\.\d+/);
        assert.match(config.o.url, /^https:\/\//);
        assert.equal(config.availability_topic, `${pre}/available`);
        const cmps = Object.values(config.cmps);
        assert.deepEqual(
          cmps.map((c) => c.p),
          ['sensor', 'sensor', 'binary_sensor', 'binary_sensor'],
        );
        assert.deepEqual(
          cmps.map((c) => c.state_topic),
          [`${pre}/porch/label`, `${pre}/porch/labels`, `${pre}/porch/espresso`, `${pre}/porch/macaw`],
        );
        for (const [key, c] of Object.entries(config.cmps)) assert.equal(key, c.unique_id);

        // Home Assistant restarts: its birth message must bring the config back.
        const playHa = await subscriber([]);
        await playHa.client.publishAsync('homeassistant/status', 'online');
        await ha.waitFor((m) => m.length >= 2, { what: 're-sent discovery' });
        assert.deepEqual(JSON.parse(ha.messages[1].payload), config);

        // A restart (new publisher, same prefix and source) keeps the same unique_ids.
        await p.close();
        const again = publisher({}, { prefix: pre, watch });
        await again.waitUntilConnected();
        again.publish(referenceFrame('parrot.jpg', 1, 2000));
        await ha.waitFor((m) => m.length >= 3, { what: 'discovery after restart' });
        assert.deepEqual(
          Object.keys((JSON.parse(ha.messages[2].payload) as typeof config).cmps),
          Object.keys(config.cmps),
        );

        // Deleting the node removes the device: an empty retained config.
        await again.close({ removeDiscovery: true });
        await ha.waitFor((m) => m.length >= 4, { what: 'discovery removal' });
        assert.equal(ha.messages[3].payload, '');
        const fresh = await subscriber([topic]);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(fresh.messages.length, 0, 'no retained discovery config left behind');
      },
    );

    /** A subscriber that sees everything published while the broker was away, whatever the broker. */
    async function outageSubscriber(pre: string): Promise<RecordingSubscriber> {
      const durable = broker!.durableSessions;
      return subscriber([`${pre}/#`], { clientId: `sub_${pre.replace(/\W/g, '_')}`, clean: !durable });
    }
    async function restoreBroker(sub: RecordingSubscriber): Promise<void> {
      const subacks = sub.subacks;
      await broker!.restore(broker!.durableSessions ? undefined : () => sub.waitForSubacks(subacks + 1, 8000));
    }

    it('keeps QoS 1 state in a bounded queue while the broker is down and delivers it in order', async () => {
      broker = await factory();
      const pre = prefix();
      const sub = await outageSubscriber(pre);
      const p = publisher({}, { prefix: pre, watch: [ESPRESSO_ON], discovery: false, maxQueued: 8 });
      await p.waitUntilConnected();
      const labelTopic = `${pre}/porch/label`;
      const espressoTopic = `${pre}/porch/espresso`;
      p.publish(referenceFrame('coffee.png', 0, 0));
      p.publish(referenceFrame('parrot.jpg', 1, 1));
      await sub.waitFor(() => sub.fresh(espressoTopic).length >= 3, { what: 'state before the outage' });
      const before = sub.messages.length;

      await broker.interrupt();
      await publisherStatus(p, (s) => s.state !== 'connected', { what: 'publisher to notice the outage' });
      // 4 frames x 2 state messages = 8 = the bound: everything must arrive.
      const outage = ['coffee.png', 'hot_dog.jpg', 'coffee.png', 'owl.jpg'];
      for (const [i, photo] of outage.entries()) p.publish(referenceFrame(photo, 10 + i, 10 + i));
      assert.deepEqual(p.status(), { state: p.status().state, queued: 8, dropped: 0, skippedQos0: 4 });
      await restoreBroker(sub);
      await publisherStatus(p, (s) => s.state === 'connected', { what: 'reconnect' });
      // The queued messages in order, then the current state re-published so subscribers converge.
      await sub.waitFor(() => sub.fresh(espressoTopic, before).length >= 5, {
        what: 'queued state plus re-published state',
        timeoutMs: 10000,
      });
      await sub.waitFor(() => sub.fresh(labelTopic, before).length >= 5, {
        what: 'queued labels plus re-published label',
        timeoutMs: 10000,
      });
      const expectedLabels = outage.map((photo) => referencePredictions().get(photo)![0].label);
      assert.deepEqual(sub.fresh(labelTopic, before), [...expectedLabels, expectedLabels[3]]);
      assert.deepEqual(sub.fresh(espressoTopic, before), ['ON', 'OFF', 'ON', 'OFF', 'OFF']);
      assert.equal(p.status().queued, 0);
    });

    it('counts what the queue bound forces out and still converges to the current state', async () => {
      broker = await factory();
      const pre = prefix();
      const sub = await outageSubscriber(pre);
      const p = publisher({}, { prefix: pre, watch: [ESPRESSO_ON], discovery: false, maxQueued: 4 });
      await p.waitUntilConnected();
      const labelTopic = `${pre}/porch/label`;
      p.publish(referenceFrame('parrot.jpg', 0, 0));
      await sub.waitFor(() => sub.fresh(labelTopic).length >= 1, { what: 'first label' });
      const before = sub.messages.length;
      await broker.interrupt();
      await publisherStatus(p, (s) => s.state !== 'connected', { what: 'publisher to notice the outage' });
      const photos = ['coffee.png', 'parrot.jpg', 'coffee.png', 'parrot.jpg', 'coffee.png', 'hot_dog.jpg'];
      for (const [i, photo] of photos.entries()) p.publish(referenceFrame(photo, i + 1, i + 1));
      // Each frame changes the label and flips espresso: 12 state messages against a bound of 4.
      assert.equal(p.status().queued, 4);
      assert.equal(p.status().dropped, 8);
      await restoreBroker(sub);
      await publisherStatus(p, (s) => s.state === 'connected', { what: 'reconnect' });
      await sub.waitFor(() => sub.fresh(labelTopic, before).length >= 3, {
        what: 'kept messages and current state',
        timeoutMs: 10000,
      });
      // The newest four survive: label espresso, ON, label hot dog, OFF; then the state again.
      assert.deepEqual(sub.fresh(labelTopic, before), [
        'espresso',
        'hotdog, hot dog, red hot',
        'hotdog, hot dog, red hot',
      ]);
      await sub.waitFor(() => sub.fresh(`${pre}/porch/espresso`, before).length >= 3, {
        what: 'espresso state',
        timeoutMs: 10000,
      });
      assert.deepEqual(sub.fresh(`${pre}/porch/espresso`, before), ['ON', 'OFF', 'OFF']);
      assert.equal(p.status().dropped, 8);
    });

    it('reports a wrong password as a clear error without crashing or logging the password', async () => {
      const secret = 'S3cret-pa55word-for-test';
      broker = await factory({ users: { camera: secret } });
      const logged: string[] = [];
      const restore = captureOutput(logged);
      let status: PublisherStatus;
      try {
        const p = publisher({ username: 'camera', password: `${secret}-wrong` }, { prefix: prefix() });
        p.on('status', (s) => logged.push(JSON.stringify(s)));
        await assert.rejects(
          p.waitUntilConnected(),
          /refused the connection: (bad username or password|not authorised)/,
        );
        status = p.status();
        p.publish(referenceFrame('parrot.jpg', 1, 1));
        await p.close();
        const good = publisher({ username: 'camera', password: secret }, { prefix: prefix() });
        await good.waitUntilConnected();
      } finally {
        restore();
      }
      assert.equal(status.state, 'error');
      assert.match(status.error ?? '', /check the username and password/);
      const everything = logged.join('\n') + broker.log();
      assert.ok(logged.length > 0);
      assert.ok(!everything.includes(secret), 'the password appears in a log line');
    });

    it('lets the broker publish the last will "offline" when the publisher process is killed', async () => {
      broker = await factory();
      const pre = prefix();
      const sub = await subscriber([`${pre}/available`]);
      const script = path.join(__dirname, 'publisher-process.js');
      const child = fork(script, [broker.url, pre], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      cleanups.push(async () => child.kill('SIGKILL'));
      const first = await new Promise<string>((resolve) => child.once('message', (m) => resolve(String(m))));
      assert.equal(first, 'connected');
      await sub.waitFor((m) => m.some((x) => x.payload === 'online'), { what: 'online' });
      child.kill('SIGKILL');
      await sub.waitFor((m) => m.some((x) => x.payload === 'offline'), { what: 'offline from the last will' });
      assert.deepEqual(
        sub.messages.map((m) => m.payload),
        ['online', 'offline'],
      );
      const late = await subscriber([`${pre}/available`]);
      await late.waitFor((m) => m.length >= 1, { what: 'retained availability' });
      assert.deepEqual([late.messages[0].payload, late.messages[0].retain], ['offline', true]);
    });
  });
}

/** Collects everything written to stdout/stderr and console while a test runs. */
function captureOutput(into: string[]): () => void {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown): boolean => {
    into.push(String(chunk));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}
