import assert from 'node:assert/strict';
import { connectAsync, type MqttClient } from 'mqtt';
import { LabelPublisher, type TeachCommand, type TeachCommandError } from '../../src/mqtt';
import { discoveryTopic, type DeviceDiscoveryPayload } from '../../src/mqtt/ha-discovery';
import { readImage } from '../fixtures';
import { sleep, waitFor } from '../helpers';
import { startAedes } from './helpers/brokers';

/** Collects raw payloads (JPEG bytes stay bytes) with their retain flag. */
async function rawSubscriber(
  url: string,
  filter: string,
): Promise<{ client: MqttClient; got: Map<string, { payload: Buffer; retain: boolean }[]> }> {
  const client = await connectAsync(url, { connectTimeout: 5000 });
  const got = new Map<string, { payload: Buffer; retain: boolean }[]>();
  client.on('message', (topic, payload, packet) =>
    got.set(topic, [...(got.get(topic) ?? []), { payload, retain: packet.retain }]),
  );
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, got };
}

describe('LabelPublisher: watched region state, image and teach topics (aedes)', function () {
  this.timeout(20000);
  let broker: Awaited<ReturnType<typeof startAedes>>;
  const closing: Array<() => Promise<unknown>> = [];
  const frame = readImage('owl.jpg');

  beforeEach(async () => {
    broker = await startAedes();
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await broker.stop();
  });

  function publisher(teach = false): LabelPublisher {
    const p = new LabelPublisher(
      { url: broker.url, reconnectPeriodMs: 100 },
      { discoveryJitterMs: 0, statsIntervalMs: 0, teach },
    );
    closing.push(() => p.close({ timeoutMs: 1000 }));
    return p;
  }

  it(
    'announces a binary_sensor (two classes), the image entity and teach buttons; publishes state ' + 'retained',
    async () => {
      const p = publisher();
      await p.waitUntilConnected();
      p.announceState('Garage', { classes: ['closed', 'open'], deviceClass: 'garage_door' });
      p.publishState('Garage', {
        state: 'open',
        previous: 'closed',
        changedAt: Date.UTC(2026, 0, 2),
        score: 0.91234,
        frameJpeg: frame,
      });

      // A subscriber arriving afterwards gets everything retained, as Home Assistant does after a restart.
      await sleep(200);
      const late = await rawSubscriber(broker.url, '#');
      closing.push(() => late.client.endAsync(true));
      const config = await waitFor(() => late.got.get(discoveryTopic('mobilenet', 'Garage'))?.at(-1), {
        what: 'discovery',
      });
      const image = await waitFor(() => late.got.get('mobilenet/garage/image')?.at(-1), { what: 'image' });
      const state = await waitFor(() => late.got.get('mobilenet/garage/state')?.at(-1), { what: 'state' });
      const attributes = await waitFor(() => late.got.get('mobilenet/garage/state/attributes')?.at(-1), {
        what: 'attributes',
      });

      assert.ok(config.retain && image.retain && state.retain && attributes.retain);
      assert.ok(image.payload.equals(frame), 'the frame arrives as raw JPEG bytes');
      assert.equal(state.payload.toString(), 'open');
      assert.deepEqual(JSON.parse(attributes.payload.toString()), {
        state: 'open',
        previous: 'closed',
        changedAt: '2026-01-02T00:00:00.000Z',
        score: 0.912,
      });
      const cmps = (JSON.parse(config.payload.toString()) as DeviceDiscoveryPayload).cmps;
      const byPlatform = (p: string) => Object.values(cmps).filter((c) => c.p === p);
      const [img] = byPlatform('image');
      assert.equal(img.image_topic, 'mobilenet/garage/image');
      assert.equal(img.content_type, 'image/jpeg');
      const sensor = Object.values(cmps).find((c) => c.state_topic === 'mobilenet/garage/state');
      assert.deepEqual(
        [sensor?.p, sensor?.device_class, sensor?.payload_on, sensor?.payload_off],
        ['binary_sensor', 'garage_door', 'open', 'closed'],
      );
      assert.equal(sensor?.json_attributes_topic, 'mobilenet/garage/state/attributes');
      const buttons = byPlatform('button').map((b) => [b.command_topic, b.payload_press]);
      assert.deepEqual(buttons, [
        ['mobilenet/garage/teach', '{"label":"closed"}'],
        ['mobilenet/garage/teach', '{"label":"open"}'],
      ]);
    },
  );

  it('shows a text sensor for three classes, and re-announces when the classes change', async () => {
    const p = publisher();
    await p.waitUntilConnected();
    const sub = await rawSubscriber(broker.url, 'homeassistant/#');
    closing.push(() => sub.client.endAsync(true));
    const topic = discoveryTopic('mobilenet', 'bins');
    p.announceState('bins', { classes: ['in', 'out'], deviceClass: 'occupancy' });
    p.announceState('bins', { classes: ['in', 'out'], deviceClass: 'occupancy' });
    p.announceState('bins', { classes: ['in', 'out', 'half'], deviceClass: 'occupancy' });
    const configs = await waitFor(
      () => {
        const all = sub.got.get(topic) ?? [];
        return all.length >= 2 ? all : undefined;
      },
      { what: 'two configs' },
    );
    await sleep(200);
    assert.equal(sub.got.get(topic)?.length, 2, 'the same classes are not announced twice');
    const stateOf = (m: { payload: Buffer }) =>
      (JSON.parse(m.payload.toString()) as DeviceDiscoveryPayload).cmps.mobilenet_bins_state;
    assert.deepEqual([stateOf(configs[0]).p, stateOf(configs[0]).payload_on], ['binary_sensor', 'out']);
    assert.equal(stateOf(configs[1]).p, 'sensor');
  });

  it('emits teach for {"label"} on <prefix>/<source>/teach; refuses retained or malformed commands', async () => {
    // Published retained before the publisher subscribes: a replay like this would teach on every reconnect.
    const ha = await connectAsync(broker.url);
    closing.push(() => ha.endAsync(true));
    await ha.publishAsync('mobilenet/front_door/teach', '{"label": "closed"}', { qos: 1, retain: true });
    const p = publisher(true);
    const taught: TeachCommand[] = [];
    const refused: TeachCommandError[] = [];
    p.on('teach', (c) => taught.push(c));
    p.on('teachRefused', (e) => refused.push(e));
    await p.waitUntilConnected();
    p.announceState('Front Door', { classes: ['open', 'closed'] });
    await waitFor(() => (refused.length > 0 ? true : undefined), { what: 'the retained command' });
    await ha.publishAsync('mobilenet/front_door/teach', '{"label": "open"}', { qos: 1 });
    await ha.publishAsync('mobilenet/front_door/teach', 'open', { qos: 1 });
    await ha.publishAsync('mobilenet/front_door/teach', JSON.stringify({ label: 'x'.repeat(2000) }), { qos: 1 });
    await waitFor(() => (taught.length + refused.length >= 4 ? true : undefined), { what: 'four answers' });
    assert.deepEqual(taught, [{ source: 'Front Door', label: 'open' }]);
    assert.deepEqual(
      refused.map((e) => e.message.replace(/.* (ignored|refused|must be|needs).*/, '$1')),
      ['ignored', 'must be', 'refused'],
    );
  });

  it('while the broker is away keeps only the latest state and frame, and publishes them on reconnect', async () => {
    await broker.cut();
    const p = publisher();
    p.announceState('porch', { classes: ['apple', 'banana'] });
    const second = readImage('hot_dog.jpg');
    p.publishState('porch', { state: 'apple', previous: null, changedAt: 1, score: 0.9, frameJpeg: frame });
    p.publishState('porch', { state: 'banana', previous: 'apple', changedAt: 2, score: 0.95, frameJpeg: second });
    // Discovery, then state and attributes twice: the frames wait outside the queue, only the latest kept.
    assert.equal(p.status().queued, 5);
    await broker.resume();
    await waitFor(() => (p.status().state === 'connected' ? true : undefined), { what: 'reconnected' });
    const watching = await rawSubscriber(broker.url, 'mobilenet/porch/image');
    closing.push(() => watching.client.endAsync(true));
    await waitFor(() => watching.got.get('mobilenet/porch/image')?.find((m) => m.payload.equals(second)), {
      what: 'the latest frame',
    });
    const late = await rawSubscriber(broker.url, 'mobilenet/porch/#');
    closing.push(() => late.client.endAsync(true));
    const image = await waitFor(() => late.got.get('mobilenet/porch/image')?.at(0), { what: 'image' });
    const state = await waitFor(() => late.got.get('mobilenet/porch/state')?.at(0), { what: 'state' });
    assert.ok(image.retain && image.payload.equals(second), 'the latest frame, retained');
    assert.deepEqual([state.retain, state.payload.toString()], [true, 'banana']);
  });

  it('does not listen to teach topics unless asked', async () => {
    const p = publisher(false);
    let heard = 0;
    p.on('teach', () => heard++);
    p.on('teachRefused', () => heard++);
    await p.waitUntilConnected();
    const ha = await connectAsync(broker.url);
    closing.push(() => ha.endAsync(true));
    await ha.publishAsync('mobilenet/camera/teach', '{"label": "open"}', { qos: 1 });
    await sleep(300);
    assert.equal(heard, 0);
  });

  it('refuses a malformed state or entity with a clear error and keeps publishing', async () => {
    const p = publisher();
    assert.throws(() => p.publishState('x', { state: '', previous: null, changedAt: 1, score: 1 }), /non-empty string/);
    assert.throws(
      () => p.publishState('x', { state: 'a', previous: null, changedAt: 1, score: 1, frameJpeg: Buffer.from('png?') }),
      /JPEG bytes/,
    );
    assert.throws(
      () => p.announceState('x', { classes: ['a', 'b'], deviceClass: 'gate' as never }),
      /binary_sensor classes .* got "gate"/,
    );
    assert.throws(
      () => p.announceState('x', { classes: ['a', 'b'], deviceClass: 'door', on: 'c' }),
      /"on" must be one of/,
    );
    assert.throws(() => p.announceState('x', { classes: ['a', ''] }), /non-empty label names/);
    await p.waitUntilConnected();
    const sub = await rawSubscriber(broker.url, 'mobilenet/x/state');
    closing.push(() => sub.client.endAsync(true));
    p.publishState('x', { state: 'a', previous: null, changedAt: 1, score: 1 });
    assert.equal(
      (await waitFor(() => sub.got.get('mobilenet/x/state')?.at(-1), { what: 'state' })).payload.toString(),
      'a',
    );
  });
});
