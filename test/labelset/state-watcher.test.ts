import assert from 'node:assert/strict';
import { isImageError } from '../../src/image/errors';
import type { ImageInput, Roi } from '../../src/image/types';
import { StateWatcher, type WatchOutcome } from '../../src/labelset/state-watcher';
import { Classifier } from '../../src/runner/classifier';
import { readImage, V1_025_LAYERS_DIR } from '../fixtures';
import { REGION, sceneFrame } from './scene';

/** ImageNet's top-1 on the region: a real classifier, before any label set is taught. */
function imagenetTop1(classifier: Classifier) {
  return async (image: ImageInput, roi: Roi | undefined) => {
    const { predictions } = await classifier.classify(image, { roi, topK: 1 });
    return { label: predictions[0].label, score: predictions[0].score };
  };
}

describe('state watcher with a real classifier on real frames', () => {
  let classifier: Classifier;
  let apple: Buffer;
  let banana: Buffer;
  /** What the model says about each region, asked directly: the watcher must publish exactly that. */
  let appleSays: { label: string; score: number };
  let bananaSays: { label: string; score: number };

  before(async () => {
    classifier = await Classifier.load({ model: V1_025_LAYERS_DIR });
    apple = await sceneFrame('apple');
    banana = await sceneFrame('banana');
    appleSays = await imagenetTop1(classifier)(apple, REGION);
    bananaSays = await imagenetTop1(classifier)(banana, REGION);
    assert.notEqual(appleSays.label, bananaSays.label);
  });
  after(() => classifier?.dispose());

  it('skips still frames (counted) and publishes each state once, after K agreeing frames', async () => {
    const watcher = new StateWatcher({
      classify: imagenetTop1(classifier),
      roi: REGION,
      consensus: { frames: 3, minScore: 0.3 },
      motion: { heartbeatMs: 0, settleFrames: 0 },
      review: { below: 0 },
    });
    const sequence = [apple, apple, apple, apple, apple, apple, banana, banana, banana, banana, banana];
    const outcomes: WatchOutcome[] = [];
    for (const [i, frame] of sequence.entries()) outcomes.push(await watcher.process(frame, 1000 * i));

    const summary = outcomes.map((o) =>
      o.classified ? `${o.classified.reason}${o.change ? `>${o.change.state}` : ''}` : o.skipped,
    );
    assert.deepEqual(summary, [
      'first',
      'confirm',
      `confirm>${appleSays.label}`,
      'no-motion',
      'no-motion',
      'no-motion',
      'motion',
      'confirm',
      `confirm>${bananaSays.label}`,
      'no-motion',
      'no-motion',
    ]);
    const change = outcomes[8].change;
    assert.ok(change);
    assert.equal(change.previous, appleSays.label);
    assert.equal(change.changedAt, 8000);
    assert.equal(change.frameJpeg, banana, 'a camera JPEG is kept as it came');
    assert.deepEqual(watcher.state, {
      current: bananaSays.label,
      previous: appleSays.label,
      changedAt: 8000,
      score: change.score,
    });
    const stats = watcher.stats();
    assert.deepEqual(
      { ...stats, review: undefined },
      {
        frames: 11,
        classified: 6,
        skipped: { 'no-motion': 5, busy: 0 },
        changes: 2,
        review: undefined,
      },
    );
    assert.deepEqual(
      watcher.review.list().map((e) => [e.reason, e.label]),
      [
        ['state-change', appleSays.label],
        ['state-change', bananaSays.label],
      ],
    );
  });

  it('keeps doubtful frames for review and settles after motion without waiting for votes', async () => {
    // "Doubtful" sits between the two regions' scores: the banana frames are doubtful, the apple ones are not.
    assert.ok(appleSays.score - bananaSays.score > 0.01, `scores ${appleSays.score} and ${bananaSays.score} too close`);
    const watcher = new StateWatcher({
      classify: imagenetTop1(classifier),
      roi: REGION,
      consensus: { frames: 2, minScore: bananaSays.score - 0.01 },
      motion: { heartbeatMs: 0, settleFrames: 1 },
      review: { below: (appleSays.score + bananaSays.score) / 2, maxEntries: 3 },
    });
    for (const [i, frame] of [apple, apple, apple, banana, banana].entries()) await watcher.process(frame, i);
    const kept = watcher.review.list();
    assert.deepEqual(
      kept.map((e) => [e.reason, e.label]),
      [
        ['state-change', appleSays.label],
        ['low-score', bananaSays.label],
        ['state-change', bananaSays.label],
      ],
    );
    assert.equal(watcher.stats().review.dropped, 0);
    assert.equal(watcher.stats().skipped['no-motion'], 1);
  });

  it('classifies a still region again after classifyNext() (the label set changed)', async () => {
    const watcher = new StateWatcher({
      classify: imagenetTop1(classifier),
      roi: REGION,
      motion: { settleFrames: 0 },
      consensus: { frames: 3, minScore: 0 },
    });
    const reasons: Array<string | undefined> = [];
    const step = async (ts: number) => {
      const outcome = await watcher.process(apple, ts);
      reasons.push(outcome.classified?.reason ?? outcome.skipped);
    };
    await step(0);
    await step(1000);
    watcher.classifyNext();
    await step(2000);
    await step(3000);
    await step(-5000); // the clock was set back: the heartbeat is due rather than silenced
    assert.deepEqual(reasons, ['first', 'confirm', 'first', 'no-motion', 'heartbeat']);
    assert.equal(watcher.stats().changes, 1, 'the third vote came from the frame classifyNext() let through');
  });

  it('a frame arriving while one is handled waits; a newer one replaces it (counted busy)', async () => {
    const watcher = new StateWatcher({ classify: imagenetTop1(classifier), roi: REGION });
    const first = watcher.process(apple, 1);
    const replaced = watcher.process(banana, 2);
    const newest = watcher.process(banana, 3);
    assert.equal((await first).classified?.reason, 'first');
    assert.deepEqual(await replaced, { skipped: 'busy' });
    assert.equal((await newest).classified?.reason, 'motion');
    assert.equal(watcher.stats().skipped.busy, 1);
    assert.equal(watcher.currentFrame?.ts, 3);
  });

  it('rejects a frame it cannot decode or that the region does not fit, and keeps working', async () => {
    const watcher = new StateWatcher({ classify: imagenetTop1(classifier), roi: REGION });
    await assert.rejects(
      watcher.process(Buffer.from('not an image')),
      (e: unknown) => isImageError(e) && e.code === 'NOT_AN_IMAGE',
    );
    const small = readImage('owl.jpg');
    await assert.rejects(
      watcher.process(small),
      (e: unknown) => isImageError(e) && e.code === 'INVALID_ROI' && /512×384/.test(e.message),
    );
    assert.equal(watcher.currentFrame, undefined, 'a frame that failed cannot be taught');
    assert.equal((await watcher.process(apple)).classified?.reason, 'first');
  });

  it('encodes a PNG frame as JPEG for the review queue', async () => {
    const watcher = new StateWatcher({ classify: imagenetTop1(classifier), consensus: { frames: 1, minScore: 0 } });
    const outcome = await watcher.process(readImage('chelsea.png'));
    assert.ok(outcome.change);
    assert.deepEqual([...outcome.change.frameJpeg.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  });

  it('refuses a bad region or option before the first frame', () => {
    const classify = imagenetTop1(classifier);
    assert.throws(
      () => new StateWatcher({ classify, roi: { x: 0.5, y: 0, width: 0.6, height: 1 } }),
      /reaches past the frame/,
    );
    assert.throws(() => new StateWatcher({ classify, roi: { x: -1, y: 0, width: 10, height: 10 } }), /negative/);
    assert.throws(() => new StateWatcher({ classify, roi: { x: 0, y: 0, width: 0, height: 10 } }), /positive width/);
    assert.throws(() => new StateWatcher({ classify, consensus: { frames: 0 } }), /frames must be/);
    assert.throws(() => new StateWatcher({} as never), /needs a classify/);
  });
});
