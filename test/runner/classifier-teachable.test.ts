import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { directoryHandler } from '../../src/model/model-files';
import { Classifier } from '../../src/runner/classifier';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';

/** ImageNet classes the three-class head is cut from, and the names a Teachable Machine user gave them. */
const CLASSES: Array<[string, number]> = [
  ['my parrot', 88],
  ['my coffee', 967],
  ['my cat', 285],
];

/**
 * Writes an export shaped like Teachable Machine's image project: a Sequential holding the
 * truncated MobileNet (itself a nested model ending in global pooling) and a dense head, with
 * weights.bin and metadata.json. The head is cut from the real ImageNet classifier, so the
 * export really recognises the three photos.
 */
async function writeTeachableExport(dir: string): Promise<tfl.LayersModel> {
  const base = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
  const features = tfl.model({
    inputs: base.inputs,
    outputs: base.getLayer('conv_pw_13_relu').output as tfl.SymbolicTensor,
    name: 'model1',
  });
  const truncated = tfl.sequential({
    name: 'sequential_1',
    layers: [features, tfl.layers.globalAveragePooling2d({ name: 'global_pool' })],
  });
  const dense = tfl.layers.dense({
    inputShape: [256],
    units: CLASSES.length,
    activation: 'softmax',
    name: 'dense_head',
  });
  const head = tfl.sequential({ name: 'sequential_3', layers: [dense] });
  const model = tfl.sequential({ name: 'sequential_4', layers: [truncated, head] });

  const [kernel, bias] = base.getLayer('conv_preds').getWeights();
  const columns = CLASSES.map(([, index]) => index);
  const headKernel = tf.tidy(() => tf.gather(tf.reshape(kernel, [256, 1000]), columns, 1));
  const headBias = tf.tidy(() => tf.gather(bias, columns));
  dense.setWeights([headKernel, headBias]);
  tf.dispose([headKernel, headBias]);

  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'metadata.json'),
    JSON.stringify({
      tfjsVersion: '1.3.1',
      tmVersion: '2.4.10',
      packageName: '@teachablemachine/image',
      timeStamp: new Date().toISOString(),
      userMetadata: {},
      modelName: 'tm-my-image-model',
      labels: CLASSES.map(([name]) => name),
      imageSize: 224,
    }),
  );
  // base shares its layers with the export: disposing the export frees them.
  return model;
}

describe('Classifier with a Teachable Machine image export', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-tm-'));
  let reference: tfl.LayersModel;
  let classifier: Classifier;

  before(async function () {
    await tf.setBackend('cpu');
    reference = await writeTeachableExport(dir);
    classifier = await Classifier.load({ model: dir, queuePolicy: 'wait' });
  });

  after(async function () {
    await classifier?.dispose();
    reference?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes labels and [-1, 1] input from metadata.json and runs the nested model as one written .tflite', function () {
    assert.equal(classifier.info.teachableMachine, true);
    assert.equal(classifier.info.classes, 3);
    assert.ok(classifier.info.labelsSource.endsWith('metadata.json'));
    assert.equal(classifier.info.normalization.offset, -1);
    // The default engine: the nested model flattened into one graph, written as a float32 .tflite for LiteRT.js.
    assert.equal(classifier.info.engine, 'litert', classifier.info.engineFallbackReason);
    assert.equal(classifier.info.mode, 'written-tflite', classifier.info.fallbackReason);
  });

  for (const [photo, label] of [
    ['parrot.jpg', 'my parrot'],
    ['coffee.png', 'my coffee'],
    ['chelsea.png', 'my cat'],
  ]) {
    it(`${photo} → ${label}`, async function () {
      const result = await classifier.classify(readImage(photo), { fit: 'fill' });
      assert.equal(result.top?.label, label);
      assert.equal(result.predictions.length, 3);
    });
  }

  it('gives the same scores as TF.js running the export itself (within 1e-4)', async function () {
    const rgb = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', 'parrot.jpg.224.rgb'));
    const pixels = new Float32Array(rgb.length);
    for (let i = 0; i < rgb.length; i++) pixels[i] = rgb[i] / 127.5 - 1;
    const expected = tf.tidy(() => (reference.predict(tf.tensor4d(pixels, [1, 224, 224, 3])) as tf.Tensor).dataSync());
    const result = await classifier.classify(
      { data: new Uint8Array(rgb), width: 224, height: 224, channels: 3 },
      { topK: 3 },
    );
    for (const p of result.predictions)
      assert.ok(Math.abs(p.score - expected[p.index]) < 1e-4, `${p.label}: ${p.score} vs ${expected[p.index]}`);
  });

  it('embeds with the global pooling inside its nested model: the base MobileNet V1 0.25 embedding', async function () {
    // The export's features are the base model's layers up to conv_pw_13_relu, then the same global pooling.
    const base = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait' });
    try {
      assert.equal(classifier.info.embeddingSize, 256);
      assert.notEqual(classifier.info.fingerprint, base.info.fingerprint);
      const image = readImage('parrot.jpg');
      const [ours, theirs] = await Promise.all([classifier.embed(image), base.embed(image)]);
      let cosine = 0;
      for (let i = 0; i < ours.length; i++) cosine += ours[i] * theirs[i];
      assert.ok(cosine > 0.9999, `cosine ${cosine}`);
    } finally {
      await base.dispose();
    }
  });
});
