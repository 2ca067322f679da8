import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../../../src/engine/compile-graph';
import type { GraphOp, ModelGraph } from '../../../src/model/graph';
import { layersModelToGraph } from '../../../src/model/layers-to-graph';
import { directoryHandler } from '../../../src/model/model-files';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { Model } from '../../../src/model/tflite/model-tables';
import { EMBEDDING_TENSOR_NAME } from '../../../src/model/tflite/embedding-output';
import { writeTflite } from '../../../src/model/tflite/write-tflite';
import { buildMobileNet } from '../../../src/zoo/build-layers-model';
import { V1_025_LAYERS_DIR } from '../../fixtures';

const PHOTOS = ['parrot.jpg', 'coffee.png', 'hot_dog.jpg', 'owl.jpg'];

function referenceInput(photo: string): tf.Tensor4D {
  const bytes = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', `${photo}.224.rgb`));
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pixels[i] = bytes[i] / 127.5 - 1;
  return tf.tensor4d(pixels, [1, 224, 224, 3]);
}

/** What an op computes, without its tensor names (the reader names tensors t<index>). */
function signature(op: GraphOp): Record<string, unknown> {
  const {
    inputs: _inputs,
    output: _output,
    requantize: _requantize,
    ...rest
  } = op as GraphOp & { requantize?: unknown };
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value && typeof value === 'object' && 'values' in value) {
      const weight = value as { shape: number[]; values: Float32Array };
      plain[key] = { shape: weight.shape, values: Array.from(weight.values) };
    } else plain[key] = value;
  }
  // The file holds the batch size (1) where the graph may say -1.
  if (op.op === 'reshape') plain.shape = op.shape.slice(1);
  return plain;
}

/** Runs both graphs on the same input and returns the largest score difference. */
function largestDifference(a: ModelGraph, b: ModelGraph, input: tf.Tensor4D): number {
  const ea = compileGraph(a);
  const eb = compileGraph(b);
  try {
    const sa = ea.run(input);
    const sb = eb.run(input);
    const va = Array.from(sa.dataSync());
    const vb = Array.from(sb.dataSync());
    tf.dispose([sa, sb]);
    assert.equal(va.length, vb.length);
    return va.reduce((worst, v, i) => Math.max(worst, Math.abs(v - vb[i])), 0);
  } finally {
    ea.dispose();
    eb.dispose();
  }
}

describe('TFLite writer (float32)', function () {
  this.timeout(60_000);
  let v1: ModelGraph;

  before(async function () {
    await tf.setBackend('wasm');
    const model = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
    v1 = layersModelToGraph(model);
    model.dispose();
  });

  it('writes the V1 0.25 fixture so that our reader reads the same graph back', function () {
    const bytes = writeTflite(v1);
    const read = importTflite(bytes);
    assert.equal(read.inputDtype, 'float32');
    assert.deepEqual(read.graph.input.shape, v1.input.shape);
    assert.equal(read.scores, 'probabilities');
    assert.equal(read.embeddingOutput, 1);
    // The reader sees one op more: the reshape that flattens the pooled features for output 1.
    const ops = read.graph.ops.slice(0, -1);
    assert.equal(ops.length, v1.ops.length);
    ops.forEach((op, i) => {
      assert.deepEqual(signature(op), signature(v1.ops[i]), `op ${i} (${v1.ops[i].op})`);
    });
    assert.equal(read.graph.ops.at(-1)?.op, 'reshape');
  });

  it('computes what the fused TF.js graph computes on the fixture reference inputs', function () {
    const read = importTflite(writeTflite(v1)).graph;
    const before = tf.memory().numTensors;
    for (const photo of PHOTOS) {
      const input = referenceInput(photo);
      const worst = largestDifference(v1, read, input);
      input.dispose();
      assert.ok(worst < 1e-6, `${photo}: largest difference ${worst}`);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  });

  it('declares the pooled features as subgraph output 1, named embedding, [1, features] float32', function () {
    const model = Model.fromBytes(writeTflite(v1));
    const subgraph = model.subgraphs()[0];
    const outputs = subgraph.outputs();
    assert.equal(outputs.length, 2);
    const tensors = subgraph.tensors();
    const embedding = tensors[outputs[1]];
    assert.equal(embedding.name(), EMBEDDING_TENSOR_NAME);
    assert.deepEqual(embedding.shape(), [1, 256]);
    assert.equal(embedding.type(), 0);
    assert.deepEqual(tensors[outputs[0]].shape(), [1, 1000]);
  });

  it('writes a V2 network (residual ADD, PAD, fully-connected head) that reads back to the same outputs', function () {
    const model = buildMobileNet({ arch: 'v2', alpha: 0.35, resolution: 96, classes: 7 }, { seed: 3 });
    const graph = layersModelToGraph(model);
    model.dispose();
    const kinds = new Set(graph.ops.map((op) => op.op));
    for (const kind of ['add', 'conv2d', 'depthwiseConv2d', 'mean']) assert.ok(kinds.has(kind as GraphOp['op']), kind);
    const read = importTflite(writeTflite(graph)).graph;
    const input = tf.randomUniform([1, 96, 96, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const worst = largestDifference(graph, read, input);
    input.dispose();
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
  });

  it('aligns every constant buffer on 16 bytes, so kernels can read weights in place', function () {
    const bytes = writeTflite(v1);
    const model = Model.fromBytes(bytes);
    let checked = 0;
    for (const buffer of model.buffers()) {
      const data = buffer.data();
      if (!data) continue;
      assert.equal(data.byteOffset % 16, 0, `buffer ${buffer.index}`);
      checked++;
    }
    assert.ok(checked > 50, `${checked} buffers`);
  });
});
