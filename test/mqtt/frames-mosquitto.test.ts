import assert from 'node:assert/strict';
import { connectAsync, type IPublishPacket } from 'mqtt';
import { FramePublisher, FrameSubscriber, LabelPublisher, type FrameMessage } from '../../src/mqtt';
import { onTeardown, sleep, waitFor } from '../helpers';
import { readImage } from '../fixtures';
import { startMosquitto, type MosquittoBroker } from './helpers/brokers';
import { MOSQUITTO_MISSING } from './helpers/test-broker';

const jpeg = readImage('parrot.jpg');
const frameAt = (source: string, seq: number, ts = Date.now()): FrameMessage => ({ source, seq, ts, jpeg });

/** A camera on the broker, closed after the test. */
async function camera(url: string, prefix: string, qos: 0 | 1): Promise<FramePublisher> {
  const publisher = new FramePublisher({ url }, { prefix, qos });
  onTeardown('frame publisher', () => publisher.close());
  await publisher.waitUntilConnected();
  return publisher;
}

/** A pool member's intake, closed after the test unless the test closes it itself. */
function member(url: string, clientId: string, topic: string, handle: (frame: FrameMessage) => Promise<void>) {
  const subscriber = new FrameSubscriber({ url, clientId }, { topic, receiveMaximum: 2, maxAgeMs: 0 }, handle);
  onTeardown(`member ${clientId}`, () => subscriber.close(500));
  return subscriber;
}

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('frames over MQTT 5 through Mosquitto 2', () => it.skip(missing, () => undefined));
} else {
  describe('frames over MQTT 5 through Mosquitto 2', function () {
    this.timeout(30000);
    let broker: MosquittoBroker;
    before(async () => {
      broker = await startMosquitto({ persistence: true });
    });
    after(() => broker.dispose());

    it('a camera publishes each frame on <prefix>/<source>/frame with seq, ts, content type and its QoS', async () => {
      const seen: IPublishPacket[] = [];
      const watcher = await connectAsync(broker.url, { protocolVersion: 5 });
      onTeardown('watcher', () => watcher.endAsync(true));
      watcher.on('message', (_topic, _payload, packet) => seen.push(packet));
      await watcher.subscribeAsync('t1/+/frame', { qos: 1 });
      const cam = await camera(broker.url, 't1', 1);
      assert.equal(await cam.publish(frameAt('Gate', 3, 1_700_000_000_123)), true);
      await waitFor(() => seen.length === 1, { what: 'the frame' });
      const [packet] = seen;
      assert.equal(packet.topic, 't1/gate/frame');
      assert.equal(packet.qos, 1);
      assert.ok(Buffer.from(packet.payload).equals(jpeg), 'the JPEG bytes unchanged');
      assert.equal(packet.properties?.contentType, 'image/jpeg');
      assert.deepEqual({ ...packet.properties?.userProperties }, { seq: '3', ts: '1700000000123' });
      assert.deepEqual(cam.stats(), { published: 1, dropped: 0, pending: 0, unheard: 0, connected: true });
    });

    it('a QoS 1 frame no member is subscribed to is counted unheard (MQTT 5 "No matching subscribers")', async () => {
      // The broker takes such a frame and discards it: the camera is the only one who can tell, by the PUBACK.
      const cam = await camera(broker.url, 't7', 1);
      const unheard: number[] = [];
      cam.on('unheard', (frame) => unheard.push(frame.seq));
      assert.equal(await cam.publish(frameAt('gate', 1)), true, 'the broker took it');
      assert.deepEqual(unheard, [1]);
      const handled: number[] = [];
      const m = member(broker.url, 't7-member', '$share/pool/t7/+/frame', async (frame) => {
        handled.push(frame.seq);
      });
      await m.waitUntilConnected();
      await waitFor(
        async () => {
          // the subscription is in place once a frame is heard
          await cam.publish(frameAt('gate', 100 + handled.length));
          return handled.length > 0;
        },
        { what: 'a frame reaching the member' },
      );
      const heardBefore = cam.stats().unheard;
      assert.equal(await cam.publish(frameAt('gate', 2)), true);
      await waitFor(() => handled.includes(2), { what: 'frame 2 at the member' });
      assert.equal(cam.stats().unheard, heardBefore, 'a frame a member took is not unheard');
      assert.equal(unheard[0], 1);
      assert.equal(cam.stats().published, unheard.length + handled.length);
    });

    it('a shared subscription hands each frame to exactly one member, one frame at a time per member', async () => {
      const handled: Array<{ member: string; seq: number }> = [];
      let busy = 0;
      let overlapped = false;
      const handler = (name: string) => async (frame: FrameMessage) => {
        busy += 1;
        if (busy > 2) overlapped = true;
        await sleep(5);
        handled.push({ member: name, seq: frame.seq });
        busy -= 1;
      };
      const a = member(broker.url, 't2-a', '$share/pool/t2/+/frame', handler('a'));
      const b = member(broker.url, 't2-b', '$share/pool/t2/+/frame', handler('b'));
      await Promise.all([a.waitUntilConnected(), b.waitUntilConnected()]);
      await sleep(200); // both subscriptions in place
      const cam = await camera(broker.url, 't2', 1);
      for (let seq = 0; seq < 20; seq++) assert.equal(await cam.publish(frameAt('gate', seq)), true);
      await waitFor(() => handled.length >= 20, { what: () => `20 frames handled, got ${handled.length}` });
      await sleep(200);
      assert.deepEqual(
        handled.map((h) => h.seq).sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i),
        'each frame once',
      );
      const shares = ['a', 'b'].map((name) => handled.filter((h) => h.member === name).length);
      assert.deepEqual(shares, [10, 10], 'Mosquitto 2 shares round robin');
      assert.equal(overlapped, false, 'no member runs two frames at once');
      assert.equal(a.stats().handled + b.stats().handled, 20);
    });

    it('stepBackAfterMs: a slow member steps back while behind, gets fewer frames, none is lost', async () => {
      // Mosquitto 2 hands a shared subscription's frames round robin whatever a member's load (the test above):
      // a member 60× slower would get half of them, each waiting longer and longer. Stepping back while behind
      // (UNSUBSCRIBE, then SUBSCRIBE once caught up) moves new frames to the others; what was queued still comes.
      const handled: Array<{ member: string; seq: number }> = [];
      const handler = (name: string, ms: number) => async (frame: FrameMessage) => {
        await sleep(ms);
        handled.push({ member: name, seq: frame.seq });
      };
      const topic = '$share/pool/t6/+/frame';
      const options = { topic, receiveMaximum: 1, maxAgeMs: 0, stepBackAfterMs: 400 };
      const fast = new FrameSubscriber({ url: broker.url, clientId: 't6-fast' }, options, handler('fast', 5));
      const slow = new FrameSubscriber({ url: broker.url, clientId: 't6-slow' }, options, handler('slow', 300));
      onTeardown('members t6', () => Promise.all([fast.close(500), slow.close(2000)]));
      await Promise.all([fast.waitUntilConnected(), slow.waitUntilConnected()]);
      await sleep(200);
      const cam = await camera(broker.url, 't6', 1);
      const frames = 60;
      for (let seq = 0; seq < frames; seq++) {
        assert.equal(await cam.publish(frameAt('gate', seq)), true);
        await sleep(40); // a 25 fps camera: the slow member (300 ms a frame) falls behind at once
      }
      await waitFor(() => handled.length >= frames, {
        what: () => `${frames} frames handled, got ${handled.length}`,
        timeoutMs: 20000,
      });
      await sleep(300);
      assert.deepEqual(
        handled.map((h) => h.seq).sort((x, y) => x - y),
        Array.from({ length: frames }, (_, i) => i),
        'each frame once, none lost',
      );
      const slowShare = handled.filter((h) => h.member === 'slow').length;
      assert.ok(slowShare < frames / 4, `the slow member took ${slowShare} of ${frames} (round robin: ${frames / 2})`);
      assert.ok(slow.stats().steppedBack >= 1, JSON.stringify(slow.stats()));
      assert.equal(fast.stats().steppedBack, 0, JSON.stringify(fast.stats()));
    });

    it('a member that stops before its labels are out loses nothing: the broker gives the frame again', async () => {
      let release: (() => void) | undefined;
      const firstTry: number[] = [];
      const first = member(broker.url, 't3-member', 't3/+/frame', async (frame) => {
        firstTry.push(frame.seq);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await first.waitUntilConnected();
      await sleep(200);
      const cam = await camera(broker.url, 't3', 1);
      await cam.publish(frameAt('gate', 1));
      await waitFor(() => firstTry.length === 1, { what: 'the frame at the first member' });
      // Dies with the frame unacknowledged (its handler never settles before the connection goes).
      await first.close(50);
      release?.();
      const again: FrameMessage[] = [];
      const second = member(broker.url, 't3-member', 't3/+/frame', async (frame) => {
        again.push(frame);
      });
      await second.waitUntilConnected();
      await waitFor(() => again.length === 1, { what: 'the frame again, from the session' });
      assert.equal(again[0].seq, 1);
      assert.ok(again[0].jpeg.equals(jpeg));
    });

    it('drops frames older than the maximum age, counts them, and acknowledges them', async () => {
      const handled: number[] = [];
      const refused: string[] = [];
      const subscriber = new FrameSubscriber(
        { url: broker.url, clientId: 't4-member' },
        { topic: 't4/+/frame', maxAgeMs: 1000 },
        async (frame) => {
          handled.push(frame.seq);
        },
      );
      onTeardown('t4 member', () => subscriber.close(500));
      subscriber.on('refused', (error) => refused.push(error.reason));
      await subscriber.waitUntilConnected();
      await sleep(200);
      const cam = await camera(broker.url, 't4', 1);
      await cam.publish(frameAt('gate', 1, Date.now() - 60_000));
      await cam.publish(frameAt('gate', 2));
      await waitFor(() => handled.length === 1, { what: 'the fresh frame' });
      assert.deepEqual(handled, [2]);
      assert.deepEqual(refused, ['too-old']);
      assert.equal(subscriber.stats().droppedTooOld, 1);
    });

    it('a late result for an older frame never overwrites the newer label, even from another member', async () => {
      const labels: Array<{ payload: string; seq?: string }> = [];
      const watcher = await connectAsync(broker.url, { protocolVersion: 5 });
      onTeardown('watcher', () => watcher.endAsync(true));
      watcher.on('message', (topic, payload, packet) => {
        if (topic === 't5/gate/label')
          labels.push({ payload: payload.toString(), seq: String(packet.properties?.userProperties?.seq) });
      });
      await watcher.subscribeAsync('t5/gate/label', { qos: 1 });
      const options = { prefix: 't5', statsIntervalMs: 0, discovery: false };
      const one = new LabelPublisher({ url: broker.url, protocolVersion: 5 }, options);
      const two = new LabelPublisher({ url: broker.url, protocolVersion: 5 }, options);
      onTeardown('label publishers', () => Promise.all([one.close({ timeoutMs: 500 }), two.close({ timeoutMs: 500 })]));
      await Promise.all([one.waitUntilConnected(), two.waitUntilConnected()]);
      await sleep(200);
      const predictions = (label: string) => [{ label, score: 0.9, index: 1 }];
      // Member one finishes frame 11 first; member two's frame 10 (older) finishes afterwards.
      await one.publishDelivered({ source: 'gate', seq: 11, ts: 2000, predictions: predictions('macaw') });
      await waitFor(() => labels.length === 1, { what: 'the label of frame 11' });
      await sleep(100); // member two has read it back
      const outcome = await two.publishDelivered({
        source: 'gate',
        seq: 10,
        ts: 1000,
        predictions: predictions('owl'),
      });
      assert.equal(outcome.late, true);
      // Within one member as well.
      const ownLate = one.publish({ source: 'gate', seq: 9, ts: 900, predictions: predictions('hotdog') });
      assert.deepEqual([ownLate.late, ownLate.topChanged], [true, false]);
      // A newer frame at member two changes the label again, compared with member one's.
      await two.publishDelivered({ source: 'gate', seq: 12, ts: 3000, predictions: predictions('macaw') });
      await two.publishDelivered({ source: 'gate', seq: 13, ts: 4000, predictions: predictions('owl') });
      await waitFor(() => labels.length === 2, { what: 'the label of frame 13' });
      await sleep(200);
      assert.deepEqual(labels, [
        { payload: 'macaw', seq: '11' },
        { payload: 'owl', seq: '13' },
      ]);
    });
  });
}
