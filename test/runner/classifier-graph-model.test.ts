import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Classifier, classifierDiagnostics } from '../../src/runner/classifier';

/**
 * A TF.js graph model (converter format: a GraphDef as JSON plus a weights manifest) written by
 * hand, small enough to work out its answer on paper: logits = mean over pixels · W + b.
 */
const W = [
  [2, -1, 0, 0.5],
  [-1, 2, 0, 0.5],
  [0, 0, 2, 0.5],
];
const B = [0.1, 0.2, 0.3, 0];
const LABELS = ['red thing', 'green thing', 'blue thing', 'grey thing'];

function dims(shape: number[]): { dim: Array<{ size: string }> } {
  return { dim: shape.map((d) => ({ size: String(d) })) };
}

function constNode(name: string, dtype: 'DT_FLOAT' | 'DT_INT32', shape: number[]): object {
  return {
    name,
    op: 'Const',
    attr: { value: { tensor: { dtype, tensorShape: dims(shape) } }, dtype: { type: dtype } },
  };
}

function writeGraphModel(dir: string): void {
  const nodes = [
    {
      name: 'image',
      op: 'Placeholder',
      attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims([-1, 32, 32, 3]) } },
    },
    constNode('axes', 'DT_INT32', [2]),
    {
      name: 'pooled',
      op: 'Mean',
      input: ['image', 'axes'],
      attr: { keep_dims: { b: false }, T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' } },
    },
    constNode('weights', 'DT_FLOAT', [3, 4]),
    {
      name: 'matmul',
      op: 'MatMul',
      input: ['pooled', 'weights'],
      attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } },
    },
    constNode('bias', 'DT_FLOAT', [4]),
    {
      name: 'logits',
      op: 'BiasAdd',
      input: ['matmul', 'bias'],
      attr: { T: { type: 'DT_FLOAT' }, data_format: { s: Buffer.from('NHWC').toString('base64') } },
    },
  ];
  const data = Buffer.concat([
    Buffer.from(new Int32Array([1, 2]).buffer),
    Buffer.from(new Float32Array(W.flat()).buffer),
    Buffer.from(new Float32Array(B).buffer),
  ]);
  fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), data);
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'hand',
    convertedBy: 'hand',
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'axes', shape: [2], dtype: 'int32' },
          { name: 'weights', shape: [3, 4], dtype: 'float32' },
          { name: 'bias', shape: [4], dtype: 'float32' },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  fs.writeFileSync(path.join(dir, 'labels.txt'), `${LABELS.join('\n')}\n`);
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function solidImage(rgb: [number, number, number]): {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
} {
  const data = new Uint8Array(32 * 32 * 3);
  for (let i = 0; i < data.length; i++) data[i] = rgb[i % 3];
  return { data, width: 32, height: 32, channels: 3 };
}

describe('Classifier with a TF.js graph model (converter format)', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-graph-'));
  let classifier: Classifier;

  before(async function () {
    writeGraphModel(dir);
    // [0, 1] input, as the TF Hub MobileNets take it.
    classifier = await Classifier.load({ model: dir, normalization: { scale: 1 / 255, offset: 0 } });
  });

  after(async function () {
    await classifier?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is told apart from a layers model by its model.json and runs as a graph model', function () {
    assert.equal(classifier.info.format, 'graph');
    assert.equal(classifier.info.mode, 'graph-model');
    assert.deepEqual(classifier.info.inputSize, { width: 32, height: 32 });
    assert.equal(classifier.info.classes, 4);
  });

  const CASES: Array<[[number, number, number], string]> = [
    [[255, 0, 0], 'red thing'],
    [[0, 255, 0], 'green thing'],
    [[0, 0, 255], 'blue thing'],
  ];
  for (const [rgb, label] of CASES) {
    it(`turns its logits into probabilities: solid ${label}`, async function () {
      const result = await classifier.classify(solidImage(rgb), { topK: 4 });
      const pooled = rgb.map((v) => v / 255);
      const logits = B.map((b, j) => b + pooled.reduce((sum, x, i) => sum + x * W[i][j], 0));
      const expected = softmax(logits);
      assert.equal(result.top?.label, label);
      for (const p of result.predictions)
        assert.ok(Math.abs(p.score - expected[p.index]) < 1e-5, `${p.label}: ${p.score} vs ${expected[p.index]}`);
      assert.ok(Math.abs(result.predictions.reduce((s, p) => s + p.score, 0) - 1) < 1e-5);
    });
  }

  it('takes the embedding from its Mean node in the same execution: the normalised mean pixel', async function () {
    assert.equal(classifier.info.embeddingSize, 3);
    const before = await classifierDiagnostics.workerMemory(classifier);
    const result = await classifier.classify(solidImage([255, 0, 255]), { embedding: true });
    const after = await classifierDiagnostics.workerMemory(classifier);
    assert.equal(after.executions - before.executions, 1);
    assert.equal(after.numTensors, before.numTensors);
    const expected = [Math.SQRT1_2, 0, Math.SQRT1_2];
    for (const [i, v] of result.embedding.entries()) assert.ok(Math.abs(v - expected[i]) < 1e-6, `${i}: ${v}`);
    assert.equal(result.top?.label, 'blue thing');
  });
});
