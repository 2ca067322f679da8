import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { directoryHandler } from '../../src/model/model-files';
import { layersModelToGraph } from '../../src/model/layers-to-graph';
import { compileGraph } from '../../src/engine/compile-graph';
import { REFERENCE_PHOTOS, V1_025_LAYERS_DIR } from '../fixtures';

const PHOTOS = REFERENCE_PHOTOS;

function referenceInput(photo: string): tf.Tensor4D {
  const bytes = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', `${photo}.224.rgb`));
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pixels[i] = bytes[i] / 127.5 - 1;
  return tf.tensor4d(pixels, [1, 224, 224, 3]);
}

describe('layers model → fused graph', function () {
  let model: tfl.LayersModel;

  before(async function () {
    await tf.setBackend('wasm');
    model = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
  });

  after(function () {
    model?.dispose();
  });

  it('folds every batch-norm and fuses every ReLU6 of MobileNet V1', function () {
    const graph = layersModelToGraph(model);
    const convs = graph.ops.filter((op) => op.op === 'conv2d' || op.op === 'depthwiseConv2d');
    // 1 full conv + 13 × (depthwise + pointwise) + the 1×1 classifier conv.
    assert.equal(convs.length, 28);
    assert.equal(convs.filter((op) => 'activation' in op && op.activation === 'relu6').length, 27);
    assert.ok(graph.ops.every((op) => !('op' in op && (op as { op: string }).op === 'batchNorm')));
    assert.ok(
      convs.slice(0, 27).every((op) => 'bias' in op && op.bias),
      'folded batch-norm leaves a bias on every conv',
    );
    assert.equal(graph.ops.length, 32);
  });

  it(
    'matches tf.loadLayersModel(...).predict within 1e-4 on all ten fixture photos, and the recorded ' + 'reference',
    function () {
      const executable = compileGraph(layersModelToGraph(model));
      const reference = JSON.parse(
        fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', 'outputs.json'), 'utf8'),
      ) as Record<string, number[]>;
      const tensorsBefore = tf.memory().numTensors;
      let worst = 0;
      for (const photo of PHOTOS) {
        const input = referenceInput(photo);
        const fused = executable.run(input);
        const plain = model.predict(input) as tf.Tensor;
        const a = fused.dataSync();
        const b = plain.dataSync();
        for (let i = 0; i < a.length; i++) {
          worst = Math.max(worst, Math.abs(a[i] - b[i]));
          assert.ok(Math.abs(a[i] - reference[photo][i]) < 1e-4, `${photo}[${i}] vs reference`);
        }
        tf.dispose([input, fused, plain]);
      }
      assert.ok(worst < 1e-4, `largest difference ${worst}`);
      assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor leaked by run()');
      executable.dispose();
    },
  );
});
