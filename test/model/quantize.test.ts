import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { quantizeModelDirectory, type QuantizeDtype } from '../../src/model/quantize';
import { toFloat16Bits } from '../../src/model/float16';
import { equalizeThroughBatchNorm, findConvBatchNormPairs } from '../../src/model/equalize';
import { REFERENCE_PHOTOS, V1_025_LAYERS_DIR } from '../fixtures';

const PHOTOS = REFERENCE_PHOTOS;

/** Stock TF.js loading from the files on disk: tf.io.fromMemory + the library's own weight decoding. */
async function loadStock(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const data = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))),
  );
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    }),
  );
}

function referenceInput(photo: string): tf.Tensor4D {
  const bytes = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', `${photo}.224.rgb`));
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pixels[i] = bytes[i] / 127.5 - 1;
  return tf.tensor4d(pixels, [1, 224, 224, 3]);
}

interface Agreement {
  photo: string;
  sameTop1: boolean;
  maxTop5Delta: number;
}

function agreement(a: tfl.LayersModel, b: tfl.LayersModel): Agreement[] {
  return PHOTOS.map((photo) => {
    const x = referenceInput(photo);
    const outputs = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
    const [ya, yb] = outputs.map((y) => Array.from(y.dataSync()));
    tf.dispose([x, ...outputs]);
    const order = ya.map((_, i) => i).sort((i, j) => ya[j] - ya[i]);
    const topB = yb.indexOf(Math.max(...yb));
    return {
      photo,
      sameTop1: order[0] === topB,
      maxTop5Delta: Math.max(...order.slice(0, 5).map((i) => Math.abs(ya[i] - yb[i]))),
    };
  });
}

describe('quantize (TF.js quantised weight manifests)', function () {
  this.timeout(300_000);
  let floatModel: tfl.LayersModel;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-quantize-'));

  before(async function () {
    await tf.setBackend('wasm');
    floatModel = await loadStock(V1_025_LAYERS_DIR);
  });

  after(function () {
    floatModel?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('float16 bits match IEEE half precision for hand-worked values', function () {
    assert.equal(toFloat16Bits(1), 0x3c00);
    assert.equal(toFloat16Bits(-2), 0xc000);
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(1e6), 0x7c00);
    assert.equal(toFloat16Bits(2 ** -24), 0x0001);
    assert.equal(toFloat16Bits(0.333333343267), 0x3555);
  });

  it('equalisation through batch-norm changes no output (exact in float)', function () {
    const json = JSON.parse(fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const pairs = findConvBatchNormPairs(json.modelTopology);
    assert.equal(pairs.length, 27, 'conv1 + 13 depthwise + 13 pointwise are each followed by batch-norm');
    const values = new Map<string, Float32Array>();
    const shapes = new Map<string, number[]>();
    for (const variable of floatModel.weights) {
      values.set(variable.originalName, Float32Array.from(variable.read().dataSync() as Float32Array));
      shapes.set(variable.originalName, variable.shape as number[]);
    }
    assert.equal(equalizeThroughBatchNorm({ get: (n) => values.get(n), shape: (n) => shapes.get(n) }, pairs), 27);
    const tensorsBefore = tf.memory().numTensors;
    const [before, after] = tf.tidy(() => {
      const original = floatModel.getWeights().map((w) => w.clone());
      const predict = (): Float32Array =>
        (floatModel.predict(referenceInput('parrot.jpg')) as tf.Tensor).dataSync() as Float32Array;
      const floatOut = predict();
      floatModel.setWeights(
        floatModel.weights.map((v) => tf.tensor(values.get(v.originalName) as Float32Array, v.shape as number[])),
      );
      const equalisedOut = predict();
      floatModel.setWeights(original);
      return [floatOut, equalisedOut];
    });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor disposed');
    let worst = 0;
    for (let i = 0; i < before.length; i++) worst = Math.max(worst, Math.abs(before[i] - after[i]));
    assert.ok(worst < 1e-5, `equalised model differs by ${worst}`);
  });

  const EXPECTATIONS: Array<[QuantizeDtype, number, number]> = [
    // dtype, minimum shrink of the weights, top-5 score tolerance on every photo
    ['uint16', 1.9, 0.005],
    ['float16', 1.9, 0.03],
  ];
  for (const [dtype, minRatio, tolerance] of EXPECTATIONS) {
    it(
      `${dtype}: shrinks the weights ≥${minRatio}×, loads with stock TF.js, same top-1 on all ten photos, top-5 ` +
        `within ${tolerance}`,
      async function () {
        const out = path.join(work, dtype);
        const report = await quantizeModelDirectory(V1_025_LAYERS_DIR, out, dtype);
        assert.ok(report.weightBytesBefore / report.weightBytesAfter >= minRatio);
        assert.ok(fs.existsSync(path.join(out, 'imagenet_labels.txt')), 'labels copied beside the model');
        const quantized = await loadStock(out);
        const results = agreement(floatModel, quantized);
        quantized.dispose();
        for (const r of results) {
          assert.ok(r.sameTop1, `${r.photo}: top-1 changed`);
          assert.ok(r.maxTop5Delta <= tolerance, `${r.photo}: top-5 score moved ${r.maxTop5Delta}`);
        }
      },
    );
  }

  it(
    'uint8: shrinks the weights ≥3.5×, loads with stock TF.js, same top-1 on all ten photos, top-5 within ' + '0.03',
    async function () {
      const out = path.join(work, 'uint8');
      const report = await quantizeModelDirectory(V1_025_LAYERS_DIR, out, 'uint8');
      const ratio = report.weightBytesBefore / report.weightBytesAfter;
      assert.ok(ratio >= 3.5, `only ${ratio.toFixed(2)}× smaller`);
      assert.equal(
        report.biasesCorrected,
        27,
        'every depthwise and pointwise kernel and conv_preds (fed by batch-norm → ReLU6); conv1 reads the image',
      );
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const entries = manifest.weightsManifest.flatMap((g) => g.weights);
      const kernels = entries.filter((e) => e.shape.length > 1);
      assert.ok(
        kernels.every(
          (e) =>
            (e.quantization?.dtype === 'uint8' || e.quantization?.dtype === 'uint16') &&
            typeof e.quantization.scale === 'number' &&
            typeof e.quantization.min === 'number',
        ),
      );
      const elements = (e: tf.io.WeightsManifestEntry): number => e.shape.reduce((a, b) => a * b, 1);
      const wide = kernels.filter((e) => e.quantization?.dtype === 'uint16');
      assert.equal(wide.length, report.kernelsWidened);
      assert.ok(
        Math.max(...wide.map(elements)) <=
          Math.min(...kernels.filter((e) => e.quantization?.dtype === 'uint8').map(elements)),
        'only the smallest kernels are widened to uint16',
      );
      const tensorsBefore = tf.memory().numTensors;
      const quantized = await loadStock(out);
      const results = agreement(floatModel, quantized);
      quantized.dispose();
      assert.equal(tf.memory().numTensors, tensorsBefore, 'every tensor of the comparison disposed');
      console.log(
        `      uint8 ${ratio.toFixed(2)}×: ` +
          results.map((r) => `${r.photo} ${r.sameTop1 ? 'same' : 'DIFF'} Δ${r.maxTop5Delta.toFixed(3)}`).join(', '),
      );
      for (const r of results) {
        assert.ok(r.sameTop1, `${r.photo}: top-1 changed`);
        assert.ok(r.maxTop5Delta <= 0.03, `${r.photo}: top-5 score moved ${r.maxTop5Delta}`);
      }
    },
  );

  it('refuses an unknown dtype and writing over its input', async function () {
    await assert.rejects(
      quantizeModelDirectory(V1_025_LAYERS_DIR, path.join(work, 'x'), 'int4' as QuantizeDtype),
      /Valid dtypes are: uint8, uint16, float16/,
    );
    await assert.rejects(quantizeModelDirectory(V1_025_LAYERS_DIR, V1_025_LAYERS_DIR, 'uint8'), /must differ/);
  });
});
