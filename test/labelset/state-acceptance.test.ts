import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabelSet, makeThumbnail } from '../../src/labelset';
import { DEFAULT_CONSENSUS } from '../../src/labelset/consensus';
import { StateWatcher, type StateChange, type WatchOutcome } from '../../src/labelset/state-watcher';
import { LabelPublisher, type TeachCommand } from '../../src/mqtt';
import { Classifier } from '../../src/runner/classifier';
import { startAedes } from '../mqtt/helpers/brokers';
import { V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';
import { REGION, sceneFrame, STATE_PHOTOS } from './scene';
import { assertRetainedState, recordAllTopics } from './state-subscriber';

/**
 * Issue 12's acceptance for ROI + motion + consensus: a still scene (a real photo) whose region
 * shows one of two real photos, a real model, a label set taught with the two photos, a real broker.
 */
const MODELS = [
  ['V1 0.25/224 (TF.js layers)', V1_025_LAYERS_DIR],
  ['V2 1.0/224 uint8 (.tflite)', V2_QUANT_TFLITE],
] as const;

for (const [modelName, model] of MODELS)
  describe(`watched region end to end with ${modelName}`, function () {
    this.timeout(60000);
    let classifier: Classifier;
    let set: LabelSet;
    let dir: string;
    let broker: Awaited<ReturnType<typeof startAedes>>;
    const closing: Array<() => Promise<unknown>> = [];

    before(async () => {
      classifier = await Classifier.load({ model });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-set-'));
      set = await LabelSet.open(dir, { ...classifier.info, create: true });
      // Taught with the two photos themselves; the watcher later sees them scaled, pasted and re-encoded.
      for (const [label, file] of Object.entries(STATE_PHOTOS)) {
        const photo = fs.readFileSync(file);
        await set.add(label, await classifier.embed(photo), await makeThumbnail(photo));
      }
      broker = await startAedes();
    });
    after(async () => {
      for (const close of closing.splice(0).reverse()) await close();
      await broker?.stop();
      await classifier?.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('skips still frames, publishes each state once after K agreeing frames, retained, with its JPEG', async () => {
      const publisher = new LabelPublisher(
        { url: broker.url },
        { discoveryJitterMs: 0, statsIntervalMs: 0, teach: true },
      );
      closing.push(() => publisher.close({ timeoutMs: 1000 }));
      await publisher.waitUntilConnected();
      const classes = set.classes().map((c) => c.label);
      publisher.announceState('porch', { classes, deviceClass: 'occupancy', on: 'banana' });

      const K = 3;
      const watcher = new StateWatcher({
        roi: REGION,
        consensus: { frames: K },
        motion: { heartbeatMs: 60_000 },
        classify: async (image, roi) => set.match(await classifier.embed(image, { roi })),
      });
      const apple = await sceneFrame('apple');
      const banana = await sceneFrame('banana');
      const sequence = [...Array(6).fill(apple), ...Array(8).fill(banana)] as Buffer[];
      const firstBanana = 6;

      const early = await recordAllTopics(broker.url);
      closing.push(() => early.client.endAsync(true));
      const before = classifier.stats().completed;
      const outcomes: WatchOutcome[] = [];
      const changes: StateChange[] = [];
      for (const [i, frame] of sequence.entries()) {
        const outcome = await watcher.process(frame, 1_000_000 + 1000 * i);
        outcomes.push(outcome);
        if (outcome.change) {
          changes.push(outcome.change);
          publisher.publishState('porch', outcome.change);
        }
      }

      // No classification while nothing moves: skipped frames are counted, and the model ran only for the rest.
      const stats = watcher.stats();
      const stillFrames = outcomes.filter((o) => o.skipped === 'no-motion').length;
      assert.ok(stillFrames >= 6, `only ${stillFrames} still frames skipped`);
      assert.equal(stats.skipped['no-motion'], stillFrames);
      assert.equal(classifier.stats().completed - before, stats.classified);
      assert.equal(stats.classified + stillFrames, sequence.length);
      for (const o of outcomes.slice(firstBanana + K)) assert.equal(o.skipped, 'no-motion');

      // Each state once, the new one on the K-th agreeing frame after the change.
      assert.deepEqual(
        changes.map((c) => [c.previous, c.state]),
        [
          [null, 'apple'],
          ['apple', 'banana'],
        ],
      );
      const confirming = outcomes.findIndex((o) => o.change?.state === 'banana');
      assert.equal(confirming, firstBanana + K - 1);
      for (const o of outcomes.slice(firstBanana, confirming + 1)) assert.equal(o.classified?.label, 'banana');
      assert.deepEqual(watcher.state, {
        current: 'banana',
        previous: 'apple',
        changedAt: 1_000_000 + 1000 * confirming,
        score: changes[1].score,
      });
      assert.ok(changes[1].score >= 0.8);

      // Retained: a subscriber arriving now (Home Assistant after a restart) gets state, image and discovery.
      const late = await recordAllTopics(broker.url);
      closing.push(() => late.client.endAsync(true));
      await assertRetainedState(late, { state: 'banana', image: banana, deviceClass: 'occupancy' });

      // A subscriber there all along saw each state once (apple, then banana), not once per frame.
      const seen = (topic: string) => (early.got.get(topic) ?? []).map((m) => m.payload);
      assert.deepEqual(seen('mobilenet/porch/state').map(String), ['apple', 'banana']);
      assert.equal(seen('mobilenet/porch/image').length, 2);
      assert.deepEqual(
        watcher.review.list().map((e) => [e.reason, e.label]),
        [
          ['state-change', 'apple'],
          ['state-change', 'banana'],
        ],
      );

      // A Home Assistant teach button: the current frame's region becomes an example of that label.
      const taught = new Promise<TeachCommand>((resolve) => publisher.once('teach', resolve));
      await early.client.publishAsync('mobilenet/porch/teach', JSON.stringify({ label: 'banana' }), { qos: 1 });
      const command = await taught;
      const frame = watcher.currentFrame;
      assert.ok(frame && command.source === 'porch');
      await set.add(
        command.label,
        await classifier.embed(frame.image, { roi: watcher.roi }),
        await makeThumbnail(frame.image, watcher.roi),
      );
      assert.deepEqual(
        set.classes().map((c) => [c.label, c.count]),
        [
          ['apple', 1],
          ['banana', 2],
        ],
      );
    });

    it('needs the region: on the whole scene neither photo gets a vote', async () => {
      // Measured: with V1 the whole apple scene matches "banana" at ~0.66 (known, and wrong), with V2 it is
      // unknown at ~0.1; the regions match at 0.99 or more with both.
      const { minScore } = DEFAULT_CONSENSUS;
      for (const state of ['apple', 'banana'] as const) {
        const frame = await sceneFrame(state);
        const region = set.match(await classifier.embed(frame, { roi: REGION }));
        const whole = set.match(await classifier.embed(frame));
        assert.equal(region.label, state);
        assert.ok(region.score >= minScore, `region of ${state}: ${region.score}`);
        assert.ok(whole.score < minScore, `whole ${state} scene would vote: ${JSON.stringify(whole)}`);
      }
    });
  });
