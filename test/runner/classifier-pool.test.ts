import assert from 'node:assert/strict';
import { Classifier, classifierDiagnostics } from '../../src/runner/classifier';
import { defaultWorkers } from '../../src/runner/worker-count';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { delayFrames, handleBaseline, leakedHandles, recordWorkers } from '../helpers';

/** Photo and the top-1 first name the V1 0.25 model gives it (images/SOURCES.md), whole-image resize. */
const PHOTOS: Array<[string, string]> = [
  ['parrot.jpg', 'macaw'],
  ['coffee.png', 'espresso'],
  ['dragonfly.png', 'dragonfly'],
  ['hot_dog.jpg', 'hotdog'],
];

function firstName(label: string | undefined): string {
  return (label ?? '').split(',')[0].trim();
}

describe('Classifier with a pool of inference workers', function () {
  this.timeout(120_000);

  it('defaults to one worker per core but one, at least one', function () {
    assert.ok(defaultWorkers() >= 1 && defaultWorkers() <= 16);
  });

  it('starts two workers, feeds both and counts every tensor and pass in either', async function () {
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait', workers: 2 });
    try {
      assert.equal(classifier.info.workers, 2);
      const ids = classifierDiagnostics.workerThreadIds(classifier);
      assert.equal(new Set(ids).size, 2, `two threads, got ${ids}`);
      const images = PHOTOS.map(([photo]) => readImage(photo));
      await Promise.all(images.map((image) => classifier.classify(image, { fit: 'fill' })));
      const before = await classifierDiagnostics.workerMemory(classifier);
      const eachBefore = await classifierDiagnostics.eachWorkerMemory(classifier);
      const runs = Array.from({ length: 40 }, (_, i) =>
        classifier.classify(images[i % images.length], { topK: 1, fit: 'fill' }),
      );
      const results = await Promise.all(runs);
      for (const [i, result] of results.entries()) {
        assert.equal(firstName(result.top?.label), PHOTOS[i % PHOTOS.length][1]);
      }
      const after = await classifierDiagnostics.workerMemory(classifier);
      assert.equal(after.numTensors, before.numTensors, 'tensor count over both workers');
      assert.equal(after.numBytes, before.numBytes, 'tensor bytes over both workers');
      assert.equal(after.executions - before.executions, 40, 'one pass per frame, in one worker or the other');
      const stats = classifier.stats();
      assert.deepEqual(stats.workers, { size: 2, busy: 0, restarts: 0 });
      assert.equal(stats.completed, 44);
      // The first free worker gets the next frame, so with frames waiting both take a share.
      const eachAfter = await classifierDiagnostics.eachWorkerMemory(classifier);
      const shares = eachAfter.map((m, i) => m.executions - eachBefore[i].executions);
      assert.ok(
        shares.every((share) => share > 0),
        `frames per worker: ${shares}`,
      );
    } finally {
      await classifier.dispose();
    }
  });

  it('hands results out in frame order when a later frame finishes first, counting those held', async function () {
    const started = recordWorkers();
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait', workers: 2 });
    try {
      // The first worker's core is busy elsewhere: each frame reaches it 150 ms late; the other is quick.
      delayFrames(started[0], 150);
      const order: number[] = [];
      const runs = Array.from({ length: 16 }, (_, i) =>
        classifier.classify(readImage(PHOTOS[i % PHOTOS.length][0]), { topK: 1, fit: 'fill' }).then((result) => {
          order.push(i);
          return result;
        }),
      );
      const results = await Promise.all(runs);
      assert.deepEqual(
        order,
        Array.from({ length: 16 }, (_, i) => i),
      );
      for (const [i, result] of results.entries()) {
        assert.equal(firstName(result.top?.label), PHOTOS[i % PHOTOS.length][1]);
      }
      const stats = classifier.stats();
      assert.ok(stats.heldForOrder > 0, 'results of the quick worker waited for the slow one');
      assert.equal(stats.completed, 16);
      // Held results still count against the frames out of the queue: at most two per worker.
      assert.equal(stats.inFlight, 0);
    } finally {
      await classifier.dispose();
    }
  });

  it('replaces one of two workers that died; the other keeps classifying meanwhile', async function () {
    const started = recordWorkers();
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait', workers: 2 });
    try {
      const parrot = readImage('parrot.jpg');
      const [first, second] = classifierDiagnostics.workerThreadIds(classifier);
      await started[0].terminate();
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => classifier.classify(parrot)));
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') assert.equal(firstName(outcome.value.top?.label), 'macaw');
        else assert.match(String(outcome.reason), /Inference worker exited \(code 1\)/);
      }
      // Saturate the pool so the dead slot is needed, and so replaced.
      await Promise.all(Array.from({ length: 8 }, () => classifier.classify(parrot)));
      const ids = classifierDiagnostics.workerThreadIds(classifier);
      assert.ok(!ids.includes(first), `the dead thread ${first} is gone from ${ids}`);
      assert.ok(ids.includes(second), 'the live worker stayed');
      assert.equal(classifier.stats().workers.restarts, 1);
      assert.ok((await classifierDiagnostics.workerMemory(classifier)).numTensors > 0);
    } finally {
      await classifier.dispose();
    }
  });

  it('dispose() ends every worker and leaves no handle behind', async function () {
    const before = await handleBaseline();
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, workers: 3 });
    await Promise.all(PHOTOS.map(([photo]) => classifier.classify(readImage(photo))));
    await classifier.dispose();
    assert.deepEqual(await leakedHandles(before, { settleMs: 50 }), []);
  });
});
