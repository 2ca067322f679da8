import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../../src/engine/compile-graph';
import { quantizeGraphToInt8 } from '../../src/engine/int8/quantize-graph';
import { runTflite } from '../../src/engine/litert';
import type { ModelGraph } from '../../src/model/graph';
import { layersModelToGraph } from '../../src/model/layers-to-graph';
import { directoryHandler } from '../../src/model/model-files';
import { MINUS_ONE_TO_ONE } from '../../src/model/normalization';
import { writeTflite } from '../../src/model/tflite/write-tflite';
import { argmax, REFERENCE_PHOTOS, referencePixels, V1_025_LAYERS_DIR } from '../fixtures';

const PHOTOS = REFERENCE_PHOTOS;

const pixels = referencePixels;

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/**
 * The files the writer makes, run by the TFLite interpreter itself (LiteRT.js, XNNPACK on wasm),
 * against the fused TF.js engine on the V1 0.25 fixture's reference inputs.
 */
describe('written .tflite files on LiteRT.js', function () {
  this.timeout(180_000);
  let graph: ModelGraph;
  const float: Array<{ scores: Float32Array; embedding: Float32Array }> = [];

  before(async function () {
    await tf.setBackend('wasm');
    const model = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
    graph = layersModelToGraph(model);
    model.dispose();
    const executable = compileGraph(graph);
    try {
      for (const photo of PHOTOS) {
        const input = tf.tensor4d(
          Float32Array.from(pixels(photo), (p) => p / 127.5 - 1),
          [1, 224, 224, 3],
        );
        const outputs = executable.runWithEmbedding?.(input);
        assert.ok(outputs?.embedding);
        float.push({
          scores: outputs.scores.dataSync() as Float32Array,
          embedding: outputs.embedding.dataSync() as Float32Array,
        });
        tf.dispose([input, outputs.scores, outputs.embedding]);
      }
    } finally {
      executable.dispose();
    }
  });

  it('float32: scores and embedding within 1e-4 of the fused TF.js engine on all ten inputs', async function () {
    const inputs = PHOTOS.map((photo) => [Float32Array.from(pixels(photo), (p) => p / 127.5 - 1)]);
    const { runs, liveAfter } = await runTflite(writeTflite(graph), inputs);
    assert.equal(liveAfter, 0);
    let worstScore = 0;
    let worstEmbedding = 0;
    runs.forEach((outputs, i) => {
      assert.deepEqual(
        outputs.map((o) => [o.dtype, o.shape]),
        [
          ['float32', [1, 1000]],
          ['float32', [1, 256]],
        ],
      );
      worstScore = Math.max(worstScore, largestDifference(outputs[0].data, float[i].scores));
      worstEmbedding = Math.max(worstEmbedding, largestDifference(outputs[1].data, float[i].embedding));
    });
    console.log(
      `      largest difference: scores ${worstScore.toExponential(2)}, embedding ${worstEmbedding.toExponential(2)}`,
    );
    assert.ok(worstScore < 1e-4, `scores ${worstScore}`);
    assert.ok(worstEmbedding < 1e-4, `embedding ${worstEmbedding}`);
  });

  it('a Teachable Machine-shaped model (nested models, dense head): float32 and int8 agree', async function () {
    // The export's shape: a Sequential of the truncated MobileNet with its pooling, then a dense
    // softmax head, here cut from the real classifier for three classes (macaw, espresso, cat).
    const base = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
    const features = tfl.model({
      inputs: base.inputs,
      outputs: base.getLayer('conv_pw_13_relu').output as tfl.SymbolicTensor,
      name: 'model1',
    });
    const truncated = tfl.sequential({ layers: [features, tfl.layers.globalAveragePooling2d({})] });
    const dense = tfl.layers.dense({ inputShape: [256], units: 3, activation: 'softmax' });
    const teachable = tfl.sequential({ layers: [truncated, tfl.sequential({ layers: [dense] })] });
    const [kernel, bias] = base.getLayer('conv_preds').getWeights();
    const head = tf.tidy(() => [
      tf.gather(tf.reshape(kernel, [256, 1000]), [88, 967, 285], 1),
      tf.gather(bias, [88, 967, 285]),
    ]);
    dense.setWeights(head);
    const tmGraph = layersModelToGraph(teachable);
    tf.dispose(head);
    base.dispose();
    assert.ok(tmGraph.ops.some((op) => op.op === 'fullyConnected'));

    const photos = ['parrot.jpg', 'coffee.png', 'cat_720p.jpg'];
    const reals = photos.map((photo) => Float32Array.from(pixels(photo), (p) => p / 127.5 - 1));
    const executable = compileGraph(tmGraph);
    const expected = reals.map((real) => {
      const input = tf.tensor4d(real, [1, 224, 224, 3]);
      const output = executable.run(input);
      const values = output.dataSync() as Float32Array;
      tf.dispose([input, output]);
      return values;
    });
    executable.dispose();
    const float32 = await runTflite(
      writeTflite(tmGraph),
      reals.map((real) => [real]),
    );
    const int8 = await runTflite(
      (await quantizeGraphToInt8(tmGraph, MINUS_ONE_TO_ONE)).bytes,
      photos.map((photo) => [pixels(photo)]),
    );
    expected.forEach((scores, i) => {
      assert.equal(argmax(scores), i, `${photos[i]} is its own class`);
      assert.ok(largestDifference(float32.runs[i][0].data, scores) < 1e-4, photos[i]);
      assert.equal(argmax(int8.runs[i][0].data), i, `${photos[i]}: int8 top-1`);
    });
  });

  it('int8 (default calibration): top-1 identical to float on the ten photos, raw pixels in', async function () {
    const quantized = await quantizeGraphToInt8(graph, MINUS_ONE_TO_ONE);
    const { runs, inputs } = await runTflite(
      quantized.bytes,
      PHOTOS.map((photo) => [pixels(photo)]),
    );
    assert.deepEqual(
      inputs.map((i) => [i.dtype, i.shape]),
      [['uint8', [1, 224, 224, 3]]],
    );
    let agree = 0;
    let worst = 0;
    runs.forEach((outputs, i) => {
      if (argmax(outputs[0].data) === argmax(float[i].scores)) agree++;
      worst = Math.max(worst, largestDifference(outputs[0].data, float[i].scores));
    });
    console.log(`      int8 on LiteRT: top-1 ${agree}/10 against float, largest score move ${worst.toFixed(3)}`);
    assert.equal(agree, 10);
    assert.ok(worst < 0.1, `largest score move ${worst}`);
  });
});
