import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LITERT_WASM_DIR_ENV } from '../../src/engine/litert';
import { liteRtUnsupportedReason } from '../../src/engine/litert/unsupported';
import { Classifier, classifierDiagnostics } from '../../src/runner/classifier';
import { readImage, referenceOutputs, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';
import { onTeardown } from '../helpers';

const PHOTOS = Object.keys(referenceOutputs('mobilenet_v2_1.0_224_quant_tflite'));

/** The reference input bytes of a photo, as a raw image the classifier takes without resizing. */
function referenceImage(model: string, photo: string, size: number) {
  const data = fs.readFileSync(path.join(path.dirname(model), 'reference', `${photo}.${size}.rgb`));
  return { data: new Uint8Array(data), width: size, height: size, channels: 3 as const };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

for (const [folder, model, size, features] of [
  ['mobilenet_v2_1.0_224_quant_tflite', V2_QUANT_TFLITE, 224, 1280],
  ['mobilenet_v1_0.25_128_quant_tflite', V1_025_128_QUANT_TFLITE, 128, 256],
] as const) {
  describe(`litert engine: ${path.basename(model)} runs as the file is`, function () {
    this.timeout(180_000);
    let classifier: Classifier;

    before(async function () {
      classifier = await Classifier.load({ model, engine: 'litert', queuePolicy: 'wait' });
    });

    after(async function () {
      await classifier?.dispose();
    });

    it('says which engine runs it', function () {
      assert.equal(classifier.info.engine, 'litert');
      assert.equal(classifier.info.mode, 'tflite-file');
      assert.match(classifier.info.backend, /^litert-wasm \((relaxed-simd|compat)\)$/);
      assert.equal(classifier.info.engineFallbackReason, undefined);
      assert.equal(classifier.info.classes, 1001);
      assert.equal(classifier.info.embeddingSize, features);
    });

    it("gives the interpreter's reference output exactly on every photo (0 of 1001 differ)", async function () {
      const reference = referenceOutputs(folder);
      for (const photo of PHOTOS) {
        const result = await classifier.classify(referenceImage(model, photo, size), { topK: 1001 });
        assert.equal(result.predictions.length, 1001);
        assert.equal(result.timings.engine, 'litert');
        const differ = result.predictions.filter((p) => p.score * 256 !== reference[photo][p.index]);
        assert.equal(differ.length, 0, `${photo}: ${differ.length} of 1001 differ, e.g. ${JSON.stringify(differ[0])}`);
      }
    });

    it('gives the embedding from the same single run, close to the TF.js engine', async function () {
      const image = readImage('parrot.jpg');
      const before = await classifierDiagnostics.workerMemory(classifier);
      const result = await classifier.classify(image, { embedding: true });
      const after = await classifierDiagnostics.workerMemory(classifier);
      assert.equal(after.executions - before.executions, 1, 'one pass for scores and embedding');
      assert.equal(result.embedding.length, features);
      assert.ok(Math.abs(cosine(result.embedding, result.embedding) - 1) < 1e-5, 'unit length');
      const tfjs = await Classifier.load({ model, engine: 'tfjs', queuePolicy: 'wait' });
      onTeardown('dispose the TF.js classifier', () => tfjs.dispose());
      const theirs = await tfjs.embed(image);
      assert.ok(cosine(result.embedding, theirs) > 0.999, `cosine ${cosine(result.embedding, theirs)}`);
      await tfjs.dispose();
    });

    it('deletes every LiteRT.js tensor it makes: only the model stays alive between frames', async function () {
      const image = readImage('coffee.png');
      await classifier.classify(image);
      const before = await classifierDiagnostics.workerMemory(classifier);
      await Promise.all(Array.from({ length: 10 }, (_, i) => classifier.classify(image, { embedding: i % 2 === 0 })));
      const after = await classifierDiagnostics.workerMemory(classifier);
      assert.equal(after.numTensors, before.numTensors);
      assert.equal(after.numTensors, 1, 'the compiled model');
    });
  });
}

describe('litert engine: a TF.js layers model runs as the float32 .tflite the package writes', function () {
  this.timeout(180_000);

  it('gives the scores of the fused TF.js graph within 1e-4, and the embedding', async function () {
    const [litert, tfjs] = await Promise.all([
      Classifier.load({ model: V1_025_LAYERS_DIR, engine: 'litert', queuePolicy: 'wait' }),
      Classifier.load({ model: V1_025_LAYERS_DIR, engine: 'tfjs', queuePolicy: 'wait' }),
    ]);
    onTeardown('dispose both classifiers', () => Promise.all([litert.dispose(), tfjs.dispose()]));
    assert.equal(litert.info.engine, 'litert');
    assert.equal(litert.info.mode, 'written-tflite');
    assert.equal(litert.info.embeddingSize, 256);
    assert.equal(litert.info.fingerprint, tfjs.info.fingerprint, 'embeddings stay comparable across engines');
    for (const photo of ['parrot.jpg', 'coffee.png']) {
      const image = referenceImage(path.join(V1_025_LAYERS_DIR, 'model.json'), photo, 224);
      const [ours, theirs] = await Promise.all([
        litert.classify(image, { topK: 1000, embedding: true }),
        tfjs.classify(image, { topK: 1000, embedding: true }),
      ]);
      const theirScore = new Map(theirs.predictions.map((p) => [p.index, p.score]));
      const worst = Math.max(...ours.predictions.map((p) => Math.abs(p.score - (theirScore.get(p.index) ?? 0))));
      assert.ok(worst < 1e-4, `${photo}: largest score difference ${worst}`);
      assert.ok(cosine(ours.embedding, theirs.embedding) > 0.9999);
    }
    await Promise.all([litert.dispose(), tfjs.dispose()]);
  });
});

describe('engine choice', function () {
  this.timeout(180_000);

  it('auto runs a .tflite file on LiteRT.js', async function () {
    const classifier = await Classifier.load({ model: V1_025_128_QUANT_TFLITE, engine: 'auto' });
    onTeardown('dispose the classifier', () => classifier.dispose());
    assert.equal(classifier.info.engine, 'litert');
    assert.equal(classifier.info.engineFallbackReason, undefined);
    await classifier.dispose();
  });

  describe('with LiteRT.js made unloadable (its wasm folder empty)', function () {
    let saved: string | undefined;
    let empty: string;
    before(function () {
      saved = process.env[LITERT_WASM_DIR_ENV];
      empty = fs.mkdtempSync(path.join(os.tmpdir(), 'litert-empty-'));
      process.env[LITERT_WASM_DIR_ENV] = empty;
    });
    after(function () {
      fs.rmSync(empty, { recursive: true, force: true });
      if (saved === undefined) delete process.env[LITERT_WASM_DIR_ENV];
      else process.env[LITERT_WASM_DIR_ENV] = saved;
    });

    it('auto falls back to TF.js, says why, and classifies', async function () {
      const classifier = await Classifier.load({ model: V1_025_128_QUANT_TFLITE, engine: 'auto', queuePolicy: 'wait' });
      onTeardown('dispose the classifier', () => classifier.dispose());
      assert.equal(classifier.info.engine, 'tfjs');
      assert.match(classifier.info.engineFallbackReason ?? '', /^LiteRT\.js failed: LiteRT\.js could not load its/);
      // The shim's globals are gone again: TF.js took its Node path to the wasm backend.
      assert.equal(classifier.info.backend, 'wasm');
      const result = await classifier.classify(readImage('parrot.jpg'), { fit: 'fill' });
      assert.equal(result.top?.label.split(',')[0], 'macaw');
      await classifier.dispose();
    });

    it('an explicit litert engine fails instead, with the reason', async function () {
      await assert.rejects(
        Classifier.load({ model: V1_025_128_QUANT_TFLITE, engine: 'litert' }),
        /LiteRT\.js could not load its .* build from/,
      );
    });
  });

  it('auto keeps TF.js for what LiteRT.js cannot run, and says why', function () {
    assert.match(liteRtUnsupportedReason({ format: 'graph', path: 'x' }) ?? '', /no \.tflite writer for this format/);
    assert.match(liteRtUnsupportedReason({ format: 'tflite', path: 'x', float: true }) ?? '', /TF\.js mode/);
    assert.equal(liteRtUnsupportedReason({ format: 'tflite', path: 'x' }), undefined);
  });

  it('refuses an engine it does not know, listing the ones it does', async function () {
    await assert.rejects(
      Classifier.load({ model: V1_025_128_QUANT_TFLITE, engine: 'onnx' as never }),
      /engine must be one of "auto", "litert", "tfjs"/,
    );
  });
});
