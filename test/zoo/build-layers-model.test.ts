import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildMobileNet, buildNetworkModel } from '../../src/zoo/build-layers-model';
import { expandArchitecture } from '../../src/zoo/architectures';
import type { ArchitectureOptions, Network } from '../../src/zoo/architectures';
import { describeArchitecture } from '../../src/zoo/cost';
import { readLayersModelDir, readLayersModelWeights } from '../../src/zoo/read-layers-model-dir';
import { V1_025_LAYERS_DIR, referenceOutputs } from '../fixtures';

type OutputShape = Array<number | null>;

/** Every Keras layer the network should produce, with the output shape the definition promises. */
function expectedLayerShapes(network: Network): Map<string, OutputShape> {
  const { resolution, classes } = network.options;
  const shapes = new Map<string, OutputShape>([[network.inputName, [null, resolution, resolution, 3]]]);
  for (const layer of network.layers) {
    const out: OutputShape = [null, ...layer.output];
    switch (layer.kind) {
      case 'avgpool':
        shapes.set(layer.name, [null, layer.output[2]]);
        break;
      case 'fc':
        if (network.head === 'dense') {
          shapes.set(layer.name, [null, classes]);
        } else {
          shapes.set('reshape_1', [null, 1, 1, layer.input[2]]);
          shapes.set('dropout', [null, 1, 1, layer.input[2]]);
          shapes.set(layer.name, out);
        }
        break;
      case 'softmax':
        if (network.head === 'conv1x1') {
          shapes.set(layer.name, out);
          shapes.set('reshape_2', [null, classes]);
        }
        break;
      default:
        for (const name of [layer.name, layer.batchNorm, layer.residual?.name, layer.relu6])
          if (name) shapes.set(name, out);
    }
  }
  return shapes;
}

function assertEveryLayerShape(options: ArchitectureOptions): void {
  const network = expandArchitecture(options);
  const model = buildNetworkModel(network);
  try {
    const expected = expectedLayerShapes(network);
    assert.deepEqual(model.layers.map((l) => l.name).sort(), [...expected.keys()].sort());
    for (const layer of model.layers) assert.deepEqual(layer.outputShape, expected.get(layer.name), layer.name);
    assert.equal(model.countParams(), describeArchitecture(options).params);
  } finally {
    model.dispose();
  }
}

/** The fixture's reference input bytes (raw HWC uint8), normalised x/127.5 - 1 as MobileNet expects. */
function referenceInput(photo: string): tf.Tensor4D {
  const bytes = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', `${photo}.224.rgb`));
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = bytes[i] / 127.5 - 1;
  return tf.tensor4d(values, [1, 224, 224, 3]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('zoo/build-layers-model', () => {
  let tensorsBefore: number;

  before(async () => {
    await tf.setBackend('wasm');
    tensorsBefore = tf.memory().numTensors;
  });

  after(() => {
    assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor and model disposed');
  });

  describe('output shape of every layer, and parameter totals equal to the cost model', () => {
    const cases: ArchitectureOptions[] = [
      { arch: 'v1', alpha: 1, resolution: 224, classes: 1000 },
      { arch: 'v1', alpha: 0.25, resolution: 128, classes: 1000 },
      { arch: 'v1', alpha: 0.35, resolution: 97, classes: 5 },
      { arch: 'v2', alpha: 1, resolution: 224, classes: 1000 },
      { arch: 'v2', alpha: 0.35, resolution: 96, classes: 1000 },
      { arch: 'v2', alpha: 1.4, resolution: 161, classes: 3 },
    ];
    for (const options of cases) {
      it(`${options.arch} α=${options.alpha} ${options.resolution}px ${options.classes} classes`, () =>
        assertEveryLayerShape(options));
    }

    it('V1 1.0-224 params equal Keras (4,253,864) as built', () => {
      const model = buildMobileNet({ arch: 'v1' });
      assert.equal(model.countParams(), 4_253_864);
      model.dispose();
    });

    it("V2 1.0-224 follows the paper's Table 2, sequence by sequence", () => {
      const model = buildMobileNet({ arch: 'v2' });
      // Output of each row of the V2 paper's Table 2 (the input of the next row).
      const paper: Array<[string, number[]]> = [
        ['Conv1_relu', [112, 112, 32]],
        ['expanded_conv_project_BN', [112, 112, 16]],
        ['block_2_add', [56, 56, 24]],
        ['block_5_add', [28, 28, 32]],
        ['block_9_add', [14, 14, 64]],
        ['block_12_add', [14, 14, 96]],
        ['block_15_add', [7, 7, 160]],
        ['block_16_project_BN', [7, 7, 320]],
        ['out_relu', [7, 7, 1280]],
        ['global_average_pooling2d', [1280]],
        ['predictions', [1000]],
      ];
      for (const [name, shape] of paper) assert.deepEqual(model.getLayer(name).outputShape, [null, ...shape], name);
      assert.equal(model.countParams(), 3_538_984);
      model.dispose();
    });
  });

  describe('He initialisation without weights', () => {
    for (const [arch, last] of [
      ['v1', 'conv_pw_13_relu'],
      ['v2', 'out_relu'],
    ] as const) {
      it(`${arch}: the last feature map neither vanishes nor explodes`, () => {
        // Seeded: a random network is otherwise a different network every run.
        const model = buildMobileNet({ arch, alpha: 0.5, resolution: 128 }, { seed: 11 });
        const features = tfl.model({
          inputs: model.inputs,
          outputs: model.getLayer(last).output as tfl.SymbolicTensor,
        });
        const meanAbs = tf.tidy(() => {
          const x = tf.randomUniform([1, 128, 128, 3], -1, 1, 'float32', 7);
          return tf.mean(tf.abs(features.predict(x) as tf.Tensor)).dataSync()[0];
        });
        model.dispose();
        // The default initialiser gives ~1e-17 here (DESIGN.md); He keeps activations O(1).
        assert.ok(meanAbs > 0.05 && meanAbs < 50, `mean |activation| ${meanAbs}`);
      });
    }
  });

  describe('official weights loaded by layer name (mobilenet_v1_0.25_224_tfjs_layers)', () => {
    let reference: tfl.LayersModel;
    let built: tfl.LayersModel;
    const photos = Object.keys(referenceOutputs('mobilenet_v1_0.25_224_tfjs_layers'));

    before(async () => {
      reference = await tfl.loadLayersModel(tf.io.fromMemory(readLayersModelDir(V1_025_LAYERS_DIR)));
      const weights = readLayersModelWeights(V1_025_LAYERS_DIR);
      built = buildMobileNet({ arch: 'v1', alpha: 0.25, resolution: 224, classes: 1000 }, { weights });
      tf.dispose(weights);
    });

    after(() => {
      reference.dispose();
      built.dispose();
    });

    it('has the same layer names as the Keras model in the fixture', () => {
      const names = (m: tfl.LayersModel) =>
        m.layers.map((l) => l.name).filter((n) => !/^global_average_pooling2d/.test(n));
      assert.deepEqual(names(built), names(reference));
    });

    it(
      'gives the same outputs as tf.loadLayersModel on every fixture photo (within 1e-4), and the recorded ' +
        'reference outputs',
      () => {
        assert.equal(photos.length, 10);
        const recorded = referenceOutputs('mobilenet_v1_0.25_224_tfjs_layers');
        for (const photo of photos) {
          const [ours, theirs] = tf.tidy(() => {
            const x = referenceInput(photo);
            return [(built.predict(x) as tf.Tensor).dataSync(), (reference.predict(x) as tf.Tensor).dataSync()];
          });
          assert.ok(maxAbsDiff(ours, theirs) < 1e-4, `${photo}: ${maxAbsDiff(ours, theirs)}`);
          assert.ok(
            maxAbsDiff(ours, recorded[photo]) < 1e-4,
            `${photo} vs outputs.json: ${maxAbsDiff(ours, recorded[photo])}`,
          );
        }
      },
    );

    it('labels the parrot a macaw (class 88), as images/SOURCES.md records', () => {
      const top = tf.tidy(() => tf.argMax(built.predict(referenceInput('parrot.jpg')) as tf.Tensor, -1).dataSync()[0]);
      assert.equal(top, 88);
    });

    it('refuses weights of another width with an error naming the mismatch', () => {
      const weights = readLayersModelWeights(V1_025_LAYERS_DIR);
      try {
        assert.throws(
          () => buildMobileNet({ arch: 'v1', alpha: 0.5 }, { weights }),
          /shape mismatch: conv1\/kernel is \[3, 3, 3, 8\] but the model needs \[3, 3, 3, 16\]/,
        );
        const { 'conv_preds/bias': bias, ...withoutBias } = weights;
        assert.throws(
          () => buildMobileNet({ arch: 'v1', alpha: 0.25 }, { weights: withoutBias }),
          /missing 1 weight\(s\): conv_preds\/bias/,
        );
        assert.ok(bias);
      } finally {
        tf.dispose(weights);
      }
    });
  });
});
