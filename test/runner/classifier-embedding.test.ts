import assert from 'node:assert/strict';
import sharp from 'sharp';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { modelFingerprint } from '../../src/model/fingerprint';
import { Classifier, classifierDiagnostics } from '../../src/runner/classifier';
import { IMAGES, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';

/** Three distinct shots per class (no mirrored twin among them, see fewshot/fruit/SOURCES.md). */
const PHOTOS: Record<string, string[]> = {
  'fruit/apple': ['IMG_20200229_164804.jpg', 'IMG_20200229_164823.jpg', 'IMG_20200229_164830.jpg'],
  'fruit/banana': ['IMG_20200229_164947.jpg', 'IMG_20200229_165016.jpg', 'IMG_20200229_165033.jpg'],
  'fruit/orange': ['IMG_20200229_165108.jpg', 'IMG_20200229_165112.jpg', 'IMG_20200229_165126.jpg'],
  'fork_scissors/fork': ['fork_1.jpg', 'fork_10.jpg', 'fork_11.jpg'],
  'fork_scissors/scissors': ['scissors_1.jpg', 'scissors_10.jpg', 'scissors_11.jpg'],
};

function readFewshot(folder: string, file: string): Buffer {
  return fs.readFileSync(path.join(IMAGES, 'fewshot', folder, file));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

interface Case {
  name: string;
  model: string;
  format: 'layers' | 'tflite';
  embeddingSize: number;
}

const CASES: Case[] = [
  { name: 'V1 0.25/224 TF.js layers', model: V1_025_LAYERS_DIR, format: 'layers', embeddingSize: 256 },
  { name: 'V1 0.25/128 uint8 .tflite', model: V1_025_128_QUANT_TFLITE, format: 'tflite', embeddingSize: 256 },
  { name: 'V2 1.0/224 uint8 .tflite', model: V2_QUANT_TFLITE, format: 'tflite', embeddingSize: 1280 },
];

for (const testCase of CASES) {
  describe(`Classifier embeddings: ${testCase.name}`, function () {
    this.timeout(300_000);
    let classifier: Classifier;
    const embeddings = new Map<string, Float32Array[]>();

    before(async function () {
      classifier = await Classifier.load({ model: testCase.model, queuePolicy: 'wait' });
      for (const [folder, files] of Object.entries(PHOTOS)) {
        embeddings.set(folder, await Promise.all(files.map((file) => classifier.embed(readFewshot(folder, file)))));
      }
    });

    after(async function () {
      await classifier?.dispose();
    });

    it('tells the embedding size (1024·α for V1, 1280 for V2) and a content fingerprint', async function () {
      assert.equal(classifier.info.embeddingSize, testCase.embeddingSize);
      assert.match(classifier.info.fingerprint, /^[0-9a-f]{16}$/);
      const again = await modelFingerprint({
        format: testCase.format,
        path: testCase.model,
        inputShape: [classifier.info.inputSize.height, classifier.info.inputSize.width, 3],
        normalization: classifier.info.normalization,
      });
      assert.equal(again, classifier.info.fingerprint);
      const otherSize = await modelFingerprint({
        format: testCase.format,
        path: testCase.model,
        inputShape: [96, 96, 3],
        normalization: classifier.info.normalization,
      });
      assert.notEqual(otherSize, classifier.info.fingerprint, 'the input size is part of the identity');
    });

    it('gives unit-length embeddings of embeddingSize values, the same every time', async function () {
      for (const vectors of embeddings.values()) {
        for (const vector of vectors) {
          assert.equal(vector.length, testCase.embeddingSize);
          assert.ok(Math.abs(Math.sqrt(dot(vector, vector)) - 1) < 1e-5, `length ${Math.sqrt(dot(vector, vector))}`);
          assert.ok(vector.every(Number.isFinite));
        }
      }
      const [folder, files] = Object.entries(PHOTOS)[0];
      const again = await classifier.embed(readFewshot(folder, files[0]));
      assert.deepEqual(again, embeddings.get(folder)?.[0]);
    });

    it('puts photos of one class closer together than photos of different classes', function () {
      const report: string[] = [];
      for (const [folder, vectors] of embeddings) {
        const within: number[] = [];
        for (let i = 0; i < vectors.length; i++)
          for (let j = i + 1; j < vectors.length; j++) within.push(dot(vectors[i], vectors[j]));
        // Only against classes of the same set: fruit against fruit, fork against scissors.
        const set = folder.split('/')[0];
        for (const [other, otherVectors] of embeddings) {
          if (other === folder || other.split('/')[0] !== set) continue;
          const across = vectors.flatMap((a) => otherVectors.map((b) => dot(a, b)));
          report.push(`${folder} ${mean(within).toFixed(3)} vs ${other} ${mean(across).toFixed(3)}`);
          assert.ok(
            mean(within) > mean(across),
            `${folder}: same class ${mean(within)}, against ${other} ${mean(across)}`,
          );
        }
      }
      console.log(`      mean cosine, same class vs other class: ${report.join('; ')}`);
    });

    it('classify({embedding: true}) gives the same scores and embedding from one inference', async function () {
      const [folder, files] = Object.entries(PHOTOS)[1];
      const image = readFewshot(folder, files[1]);
      const plain = await classifier.classify(image);
      const before = await classifierDiagnostics.workerMemory(classifier);
      const both = await classifier.classify(image, { embedding: true });
      const after = await classifierDiagnostics.workerMemory(classifier);
      assert.equal(after.executions - before.executions, 1, 'one pass through the network for scores and embedding');
      assert.deepEqual(both.predictions, plain.predictions);
      assert.deepEqual(both.embedding, embeddings.get(folder)?.[1]);
      assert.equal(plain.embedding, undefined, 'no embedding unless asked');
    });

    it('keepInput returns the pixels the model saw, which embed to the same embedding', async function () {
      const [folder, files] = Object.entries(PHOTOS)[3];
      const result = await classifier.classify(readFewshot(folder, files[2]), { embedding: true, keepInput: true });
      const { width, height } = classifier.info.inputSize;
      assert.deepEqual([result.input?.width, result.input?.height, result.input?.channels], [width, height, 3]);
      assert.equal(result.input?.data.length, width * height * 3);
      const again = await classifier.embed(result.input as NonNullable<typeof result.input>);
      assert.ok(dot(again, result.embedding) > 0.9999, `cosine ${dot(again, result.embedding)}`);
      assert.equal((await classifier.classify(readFewshot(folder, files[2]))).input, undefined, 'only when asked');
    });

    it('inputJpeg returns those pixels as a JPEG, encoded beside the inference (one pass)', async function () {
      const [folder, files] = Object.entries(PHOTOS)[3];
      const image = readFewshot(folder, files[2]);
      const before = await classifierDiagnostics.workerMemory(classifier);
      const result = await classifier.classify(image, { embedding: true, keepInput: true, inputJpeg: true });
      const after = await classifierDiagnostics.workerMemory(classifier);
      assert.equal(after.executions - before.executions, 1, 'one pass through the network');
      const jpeg = result.inputJpeg as Buffer;
      const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      const { width, height } = classifier.info.inputSize;
      assert.deepEqual([info.format, info.width, info.height, info.channels], ['raw', width, height, 3]);
      const pixels = result.input?.data as Uint8Array;
      let difference = 0;
      for (let i = 0; i < data.length; i++) difference += Math.abs(data[i] - pixels[i]);
      // Quality 90: the decoded JPEG is the model's input within a few levels of 255 on average.
      assert.ok(difference / data.length < 4, `mean difference ${difference / data.length}`);
      assert.equal((await classifier.classify(image)).inputJpeg, undefined, 'only when asked');
    });

    it('keeps the worker tensor count flat with embeddings', async function () {
      const [folder, files] = Object.entries(PHOTOS)[2];
      const image = readFewshot(folder, files[0]);
      await classifier.classify(image, { embedding: true });
      const before = await classifierDiagnostics.workerMemory(classifier);
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 ? classifier.embed(image) : classifier.classify(image, { embedding: true }),
        ),
      );
      const after = await classifierDiagnostics.workerMemory(classifier);
      assert.equal(after.numTensors, before.numTensors);
      assert.equal(after.executions - before.executions, 6);
    });
  });
}

describe('Classifier embedding options', function () {
  this.timeout(120_000);

  it('refuses a non-boolean embedding option with a clear error', async function () {
    const classifier = await Classifier.load({ model: V1_025_128_QUANT_TFLITE });
    try {
      await assert.rejects(
        classifier.classify(Buffer.alloc(1), { embedding: 'yes' as unknown as boolean }),
        /embedding must be true or false/,
      );
    } finally {
      await classifier.dispose();
    }
  });
});

describe('Classifier embeddings: a layers model run unfused', function () {
  this.timeout(120_000);

  it('takes the GlobalAveragePooling2D output as a second output of the same predict', async function () {
    const fused = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait' });
    const unfused = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait', unfused: true });
    try {
      assert.equal(unfused.info.mode, 'layers-model');
      assert.equal(unfused.info.embeddingSize, 256);
      assert.equal(unfused.info.fingerprint, fused.info.fingerprint, 'same weights, same input, same normalisation');
      const image = readFewshot('fruit/orange', PHOTOS['fruit/orange'][0]);
      const before = await classifierDiagnostics.workerMemory(unfused);
      const [a, b] = await Promise.all([unfused.embed(image), fused.embed(image)]);
      const after = await classifierDiagnostics.workerMemory(unfused);
      assert.equal(after.executions - before.executions, 1);
      assert.equal(after.numTensors, before.numTensors);
      // Batch-norm folded into the convolutions rounds differently; the direction is the same.
      assert.ok(dot(a, b) > 0.9999, `cosine ${dot(a, b)}`);
    } finally {
      await Promise.all([fused.dispose(), unfused.dispose()]);
    }
  });
});
