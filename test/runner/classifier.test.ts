import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Classifier, classifierDiagnostics } from '../../src/runner/classifier';
import { FrameDroppedError } from '../../src/runner/frame-queue';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { handleBaseline, leakedHandles, recordWorkers } from '../helpers';

const CAT_CLASSES = ['Egyptian cat', 'tabby, tabby cat', 'tiger cat', 'tabby', 'tiger cat'];

/** Expected top-1 per photo, from images/SOURCES.md (independent pipeline). */
const EXPECTED: Array<[string, string[]]> = [
  ['parrot.jpg', ['macaw']],
  ['coffee.png', ['espresso']],
  ['hot_dog.jpg', ['hotdog', 'hotdog, hot dog, red hot']],
  ['dragonfly.png', ['dragonfly']],
  ['cat_720p.jpg', CAT_CLASSES],
  ['chelsea.png', CAT_CLASSES],
];

function firstName(label: string): string {
  return label.split(',')[0].trim();
}

describe('Classifier on the real V1 0.25 layers model', function () {
  let classifier: Classifier;

  before(async function () {
    classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queueSize: 4, queuePolicy: 'wait' });
  });

  after(async function () {
    await classifier?.dispose();
  });

  it('loads on the default engine (LiteRT.js, the .tflite written from it), labels for 1000 outputs', function () {
    assert.equal(classifier.info.format, 'layers');
    assert.equal(classifier.info.engine, 'litert', classifier.info.engineFallbackReason);
    assert.equal(classifier.info.mode, 'written-tflite');
    assert.equal(classifier.info.classes, 1000);
    assert.deepEqual(classifier.info.inputSize, { width: 224, height: 224 });
    assert.match(classifier.info.backend, /^litert-wasm/);
  });

  for (const [photo, expected] of EXPECTED) {
    it(`classifies ${photo} as ${firstName(expected[0])}`, async function () {
      // Whole-image resize, as the independent pipeline in images/SOURCES.md did.
      const result = await classifier.classify(readImage(photo), { topK: 5, fit: 'fill' });
      assert.ok(result.top, 'a top prediction');
      assert.ok(expected.map(firstName).includes(firstName(result.top.label)), `${photo}: got ${result.top.label}`);
      assert.equal(result.predictions.length, 5);
      for (let i = 1; i < result.predictions.length; i++)
        assert.ok(result.predictions[i - 1].score >= result.predictions[i].score);
      assert.ok(result.timings.inferenceMs > 0 && result.timings.preprocessMs > 0);
      assert.ok(result.timings.totalMs >= result.timings.inferenceMs);
    });
  }

  it('applies threshold, allow and deny lists', async function () {
    const image = readImage('parrot.jpg');
    const thresholded = await classifier.classify(image, { topK: 5, threshold: 0.5 });
    assert.deepEqual(
      thresholded.predictions.map((p) => p.label),
      ['macaw'],
    );
    const denied = await classifier.classify(image, { topK: 1, deny: ['macaw'] });
    assert.notEqual(denied.top?.label, 'macaw');
    const allowed = await classifier.classify(image, { topK: 3, allow: ['hen', 'cock'] });
    assert.deepEqual(allowed.predictions.map((p) => p.label).sort(), ['cock', 'hen']);
    await assert.rejects(classifier.classify(image, { topK: 0 }), /topK must be a whole number/);
    await assert.rejects(classifier.classify(image, { threshold: 2 }), /threshold must be a number from 0 to 1/);
  });

  const BAD_INPUTS: Array<[string, () => unknown, RegExp]> = [
    ['an empty buffer', () => Buffer.alloc(0), /empty/i],
    ['bytes that are not an image', () => Buffer.from('definitely not a picture'), /not an image|unsupported|format/i],
    ['a truncated JPEG', () => readImage('parrot.jpg').subarray(0, 20_000), /truncat|corrupt|premature/i],
    ['a BMP', () => readImage('dragonfly.bmp'), /BMP/],
    [
      'a raw buffer of the wrong size',
      () => ({ data: new Uint8Array(100), width: 10, height: 10, channels: 3 }),
      /100|300|size|length/i,
    ],
  ];
  for (const [what, make, message] of BAD_INPUTS) {
    it(`rejects ${what} with a clear error, then classifies the next good image`, async function () {
      await assert.rejects(classifier.classify(make() as Buffer), message);
      const next = await classifier.classify(readImage('coffee.png'), { topK: 1 });
      assert.equal(next.top?.label, 'espresso');
    });
  }

  it('disposes every tensor: worker tensor count is flat over 200 classifications', async function () {
    this.timeout(300_000);
    const image = readImage('coffee.png');
    await classifier.classify(image);
    const before = await classifierDiagnostics.workerMemory(classifier);
    const runs = Array.from({ length: 200 }, () => classifier.classify(image, { topK: 1 }));
    const results = await Promise.all(runs);
    assert.ok(results.every((r) => r.top?.label === 'espresso'));
    const after = await classifierDiagnostics.workerMemory(classifier);
    assert.equal(after.numTensors, before.numTensors, 'tensor count in the worker');
    assert.equal(after.numBytes, before.numBytes, 'tensor bytes in the worker');
  });

  it('keeps the main event loop free while 100 classifications run', async function () {
    this.timeout(300_000);
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const image = readImage('parrot.jpg');
    await Promise.all(Array.from({ length: 100 }, () => classifier.classify(image, { topK: 1 })));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    histogram.disable();
    const p50 = histogram.percentile(50) / 1e6;
    const p99 = histogram.percentile(99) / 1e6;
    console.log(
      `      event-loop delay over 100 classifications: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; 10 ms ` +
        `timer fired ${ticks}× in ${elapsed.toFixed(0)} ms`,
    );
    // Inference happens in the worker; only decode/resize (libuv pool) and postMessage touch this loop.
    assert.ok(ticks >= (elapsed / 10) * 0.5, `timer fired only ${ticks} times in ${elapsed.toFixed(0)} ms`);
  });
});

describe('Classifier queue under a flood', function () {
  it('drop-oldest keeps the bound, reports every dropped frame and processes none twice', async function () {
    this.timeout(120_000);
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queueSize: 3, queuePolicy: 'drop-oldest' });
    try {
      const image = readImage('parrot.jpg');
      let maxDepth = 0;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 60 }, () => {
          const promise = classifier.classify(image, { topK: 1 });
          maxDepth = Math.max(maxDepth, classifier.stats().depth);
          return promise;
        }),
      );
      const done = outcomes.filter((o) => o.status === 'fulfilled');
      const dropped = outcomes.filter((o) => o.status === 'rejected');
      const stats = classifier.stats();
      assert.ok(maxDepth <= 3, `queue depth reached ${maxDepth}`);
      assert.equal(done.length + dropped.length, 60);
      assert.ok(dropped.length > 0, 'a flood must drop frames');
      assert.ok(dropped.every((o) => (o as PromiseRejectedResult).reason instanceof FrameDroppedError));
      assert.equal(stats.dropped, dropped.length);
      assert.equal(stats.completed, done.length);
      assert.equal(stats.accepted, 60);
    } finally {
      await classifier.dispose();
    }
  });

  it('drop-newest refuses new frames when full; wait admits them all', async function () {
    this.timeout(120_000);
    const newest = await Classifier.load({
      model: V1_025_LAYERS_DIR,
      queueSize: 2,
      queuePolicy: 'drop-newest',
      workers: 1,
    });
    const waiting = await Classifier.load({ model: V1_025_LAYERS_DIR, queueSize: 2, queuePolicy: 'wait' });
    try {
      const image = readImage('coffee.png');
      const newestOutcomes = await Promise.allSettled(Array.from({ length: 20 }, () => newest.classify(image)));
      // The one worker takes two at once (one to run, one to prepare), two wait in the queue: the rest are refused.
      assert.equal(newestOutcomes.filter((o) => o.status === 'fulfilled').length, 4);
      assert.equal(newest.stats().dropped, 16);
      const waitOutcomes = await Promise.allSettled(Array.from({ length: 20 }, () => waiting.classify(image)));
      assert.equal(waitOutcomes.filter((o) => o.status === 'fulfilled').length, 20);
      assert.equal(waiting.stats().dropped, 0);
    } finally {
      await newest.dispose();
      await waiting.dispose();
    }
  });
});

describe('Classifier lifecycle and broken models', function () {
  it('dispose() ends the worker and leaves no handle behind', async function () {
    const before = await handleBaseline();
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR });
    await classifier.classify(readImage('parrot.jpg'));
    await classifier.dispose();
    // A worker thread shows as a MessagePort: none may be left, nor any pipe or timer of it.
    assert.deepEqual(await leakedHandles(before, { settleMs: 50 }), []);
    await assert.rejects(classifier.classify(readImage('parrot.jpg')), /disposed/);
  });

  it(
    'a crashed inference worker is replaced: the frame in flight fails, the following frames classify ' + 'again',
    async function () {
      this.timeout(30000);
      const started = recordWorkers();
      const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait', workers: 1 });
      try {
        assert.equal((await classifier.classify(readImage('parrot.jpg'))).top?.label, 'macaw');
        const crashedThread = classifierDiagnostics.workerThreadId(classifier);
        // What a wasm abort or an out-of-memory kill of the thread looks like from the main thread.
        const inner = started.at(-1)!;
        const inFlight = classifier.classify(readImage('coffee.png'));
        await inner.terminate();
        // Depending on whether it reached the worker before the crash, it fails clearly or runs on the new worker.
        const [settled] = await Promise.allSettled([inFlight]);
        if (settled.status === 'rejected') assert.match(String(settled.reason), /Inference worker exited \(code 1\)/);
        else assert.equal(settled.value.top?.label, 'espresso');
        const after = await classifier.classify(readImage('parrot.jpg'));
        assert.equal(after.top?.label, 'macaw');
        assert.notEqual(classifierDiagnostics.workerThreadId(classifier), crashedThread);
        assert.ok(
          (await classifierDiagnostics.workerMemory(classifier)).numTensors > 0,
          'the new worker holds the model',
        );
        const stats = classifier.stats();
        assert.equal(stats.completed + stats.failed, 3);
      } finally {
        await classifier.dispose();
      }
    },
  );

  function brokenCopy(mutate: (dir: string) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-broken-'));
    for (const file of fs.readdirSync(V1_025_LAYERS_DIR)) {
      const source = path.join(V1_025_LAYERS_DIR, file);
      if (fs.statSync(source).isFile()) fs.copyFileSync(source, path.join(dir, file));
    }
    mutate(dir);
    return dir;
  }

  it('a model directory with a missing shard fails with the shard named', async function () {
    const dir = brokenCopy((d) => fs.rmSync(path.join(d, 'group7-shard1of1')));
    try {
      await assert.rejects(Classifier.load({ model: dir }), /group7-shard1of1.*missing/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a corrupt model.json fails with a clear message', async function () {
    const dir = brokenCopy((d) => fs.writeFileSync(path.join(d, 'model.json'), '{"modelTopology": {"class_name": '));
    try {
      await assert.rejects(Classifier.load({ model: dir }), /model\.json is not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a name that is no model lists what is accepted', async function () {
    await assert.rejects(
      Classifier.load({ model: 'no_such_model_anywhere' }),
      /not a catalog name.*directory with model\.json.*\.tflite/,
    );
  });
});
