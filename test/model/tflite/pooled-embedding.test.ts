import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../../../src/engine/compile-graph';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { Classifier } from '../../../src/runner/classifier';
import { buildTflite, conv2dOptions, int8Bytes, pool2dOptions, reshapeOptions } from './build-tflite';

const UINT8 = 3;
const INT8 = 9;
const AVERAGE_POOL_2D = 1;
const CONV_2D = 3;
const RESHAPE = 22;

/** 2×2 RGB pixels, row by row. */
const PIXELS = [130, 120, 140, 134, 121, 141, 131, 121, 141, 133, 121, 141];

/**
 * A quantised MobileNet in miniature: AVERAGE_POOL_2D over the whole 2×2 map (the global pooling),
 * a 1×1 CONV_2D head with two classes, RESHAPE to [1, 2]. Built as uint8 (zero points 128) or int8
 * (zero points 0, pixels p are q = p − 128): both store the same real values.
 *
 * Worked by hand (uint8; int8 is the same minus 128 everywhere):
 *   input (scale 0.5, zero point 128): pixels p are q = p
 *   pooled q = (sum + 2) / 4 per channel, on the input's grid as TFLite requires:
 *     c0 (130+134+131+133) = 528 → 132;  c1 483 → 120.75 → 121;  c2 563 → 140.75 → 141
 *   stored pooled tensor, dequantised: (q − 128) × 0.5 = [2, −3.5, 6.5]
 *     (the real mean of the input would be [2, −3.625, 6.375]: the file rounds it)
 *   embedding = [2, −3.5, 6.5] / √58.5
 *   head filter q − 128 = [[10, 0, 0], [0, 10, 0]] × 0.1 → picks c0 and c1: logits [2, −3.5]
 */
function pooledModel(type: typeof UINT8 | typeof INT8): Uint8Array {
  const zp = type === UINT8 ? 128 : 0;
  const grid = { scale: [0.5], zeroPoint: [zp] };
  const filter = [10, 0, 0, 0, 10, 0].map((q) => q + zp);
  return buildTflite({
    tensors: [
      { shape: [1, 2, 2, 3], type, quant: grid, name: 'input' },
      { shape: [1, 1, 1, 3], type, quant: grid, name: 'pooled' },
      {
        shape: [2, 1, 1, 3],
        type,
        data: type === UINT8 ? Uint8Array.from(filter) : int8Bytes(filter),
        quant: { scale: [0.1], zeroPoint: [zp] },
        name: 'head',
      },
      { shape: [1, 1, 1, 2], type, quant: grid, name: 'logits4d' },
      { shape: [1, 2], type, quant: grid, name: 'logits' },
    ],
    operators: [
      { code: AVERAGE_POOL_2D, inputs: [0], outputs: [1], options: pool2dOptions(1, 2, 2, 0) },
      { code: CONV_2D, inputs: [1, 2, -1], outputs: [3], options: conv2dOptions(1, 1, 0) },
      { code: RESHAPE, inputs: [3], outputs: [4], options: reshapeOptions([1, 2]) },
    ],
    inputs: [0],
    outputs: [4],
  });
}

/** The same head without the pooling: a 1×1 image straight into the 1×1 convolution. */
function unpooledModel(): Uint8Array {
  const grid = { scale: [0.5], zeroPoint: [128] };
  return buildTflite({
    tensors: [
      { shape: [1, 1, 1, 3], type: UINT8, quant: grid, name: 'input' },
      {
        shape: [2, 1, 1, 3],
        type: UINT8,
        data: Uint8Array.from([138, 128, 128, 128, 138, 128]),
        quant: { scale: [0.1], zeroPoint: [128] },
      },
      { shape: [1, 1, 1, 2], type: UINT8, quant: grid },
      { shape: [1, 2], type: UINT8, quant: grid },
    ],
    operators: [
      { code: CONV_2D, inputs: [0, 1, -1], outputs: [2], options: conv2dOptions(1, 1, 0) },
      { code: RESHAPE, inputs: [2], outputs: [3], options: reshapeOptions([1, 2]) },
    ],
    inputs: [0],
    outputs: [3],
  });
}

const STORED = [2, -3.5, 6.5];
const NORM = Math.sqrt(58.5);

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `value ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

describe('embedding of a quantised .tflite: its dequantised pooled tensor', function () {
  this.timeout(120_000);

  before(async () => {
    await tf.setBackend('wasm');
  });

  for (const [name, type] of [
    ['uint8', UINT8],
    ['int8', INT8],
  ] as const) {
    it(`${name}: the executable gives the stored pooled tensor beside the scores, in one pass`, () => {
      const start = tf.memory().numTensors;
      const imported = importTflite(pooledModel(type));
      const executable = compileGraph(imported.graph);
      const input = tf.tidy(
        () =>
          tf.add(
            tf.mul(tf.tensor4d(PIXELS, [1, 2, 2, 3]), imported.normalization.scale),
            imported.normalization.offset,
          ) as tf.Tensor4D,
      );
      const outputs = executable.runWithEmbedding?.(input);
      assert.ok(outputs?.embedding, 'a graph with an average pool has an embedding');
      assertClose(outputs.embedding.dataSync(), STORED);
      assertClose(outputs.scores.dataSync(), [2, -3.5]);
      tf.dispose([input, outputs.scores, outputs.embedding]);
      executable.dispose();
      assert.equal(tf.memory().numTensors, start);
    });
  }

  it('float mode skips the rounding: the real mean of the input', () => {
    const imported = importTflite(pooledModel(UINT8), { float: true });
    const executable = compileGraph(imported.graph, { float: true });
    const input = tf.tidy(
      () =>
        tf.add(
          tf.mul(tf.tensor4d(PIXELS, [1, 2, 2, 3]), imported.normalization.scale),
          imported.normalization.offset,
        ) as tf.Tensor4D,
    );
    const outputs = executable.runWithEmbedding?.(input);
    assertClose(outputs?.embedding?.dataSync() ?? [], [2, -3.625, 6.375]);
    tf.dispose([input, outputs?.scores ?? [], outputs?.embedding ?? []]);
    executable.dispose();
  });

  // On the TF.js engine: these hand-built files are what its importer and compiled graph are checked against.
  // LiteRT.js runs this uint8 miniature to all-zero outputs (probably its quantised 1×1 convolution without a bias;
  // converter files always carry one), so the LiteRT.js embedding is checked on the real .tflite fixtures instead
  // (test/engine/litert-engine.test.ts).
  describe('through the Classifier (worker, queue, raw pixels) on the TF.js engine', () => {
    let dir: string;

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pooled-embedding-'));
    });

    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const [name, type] of [
      ['uint8', UINT8],
      ['int8', INT8],
    ] as const) {
      it(`${name}: embed() is the stored pooled tensor, L2-normalised`, async () => {
        const file = path.join(dir, `pooled-${name}.tflite`);
        fs.writeFileSync(file, pooledModel(type));
        const classifier = await Classifier.load({
          model: file,
          labels: ['red-ish', 'green-ish'],
          queuePolicy: 'wait',
          engine: 'tfjs',
        });
        try {
          assert.equal(classifier.info.embeddingSize, 3);
          const image = { data: Uint8Array.from(PIXELS), width: 2, height: 2, channels: 3 };
          const result = await classifier.classify(image, { fit: 'fill', embedding: true });
          assertClose(
            result.embedding,
            STORED.map((v) => v / NORM),
          );
          assert.deepEqual(await classifier.embed(image, { fit: 'fill' }), result.embedding);
          // softmax of the logits [2, -3.5]
          assert.equal(result.top?.label, 'red-ish');
          assert.ok(Math.abs((result.top?.score ?? 0) - 1 / (1 + Math.exp(-5.5))) < 1e-4);
        } finally {
          await classifier.dispose();
        }
      });
    }

    it('a model without global pooling: embeddingSize 0, and an embedding request refused by name', async () => {
      const file = path.join(dir, 'unpooled.tflite');
      fs.writeFileSync(file, unpooledModel());
      const classifier = await Classifier.load({ model: file, labels: ['a', 'b'] });
      try {
        assert.equal(classifier.info.embeddingSize, 0);
        const image = { data: Uint8Array.from([130, 120, 140]), width: 1, height: 1, channels: 3 };
        await assert.rejects(classifier.embed(image), /has no global average pooling to take an embedding from/);
        assert.equal((await classifier.classify(image)).top?.label, 'a', 'classification itself still works');
      } finally {
        await classifier.dispose();
      }
    });

    it('gives the uint8 and the int8 file different fingerprints', async () => {
      const fingerprints: string[] = [];
      for (const name of ['uint8', 'int8']) {
        const classifier = await Classifier.load({
          model: path.join(dir, `pooled-${name}.tflite`),
          labels: ['a', 'b'],
        });
        fingerprints.push(classifier.info.fingerprint);
        await classifier.dispose();
      }
      assert.notEqual(fingerprints[0], fingerprints[1]);
    });
  });
});
