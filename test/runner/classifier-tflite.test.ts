import assert from 'node:assert/strict';
import { Classifier, classifierDiagnostics } from '../../src/runner/classifier';
import { V1_025_128_QUANT_TFLITE, V2_QUANT_TFLITE, readImage } from '../fixtures';

/** images/SOURCES.md, "tflite v2 1.0 224 quant" column (whole-image resize, as here with fit 'fill'). */
const V2_EXPECTED: Array<[string, string]> = [
  ['parrot.jpg', 'macaw'],
  ['coffee.png', 'espresso'],
  ['hot_dog.jpg', 'hotdog'],
  ['dragonfly.png', 'dragonfly'],
  ['cat_720p.jpg', 'Egyptian cat'],
  ['chelsea.png', 'Egyptian cat'],
  ['grace_hopper.png', 'military uniform'],
  ['rocket.jpg', 'missile'],
];

const V1_128_EXPECTED: Array<[string, string]> = [
  ['parrot.jpg', 'macaw'],
  ['coffee.png', 'espresso'],
  ['chelsea.png', 'Egyptian cat'],
];

function suite(name: string, model: string, expected: Array<[string, string]>): void {
  describe(`Classifier with ${name} through the normal pipeline (sharp, whole-image resize)`, function () {
    this.timeout(180_000);
    let classifier: Classifier;

    before(async function () {
      classifier = await Classifier.load({ model, queuePolicy: 'wait' });
    });

    after(async function () {
      await classifier?.dispose();
    });

    it('reads its labels and input quantisation from the file', function () {
      assert.equal(classifier.info.format, 'tflite');
      assert.equal(classifier.info.classes, 1001);
      assert.ok(Math.abs(classifier.info.normalization.scale - 1 / 128) < 1e-9);
      assert.equal(classifier.info.normalization.offset, -1);
    });

    for (const [photo, label] of expected) {
      it(`${photo} → ${label}`, async function () {
        const result = await classifier.classify(readImage(photo), { fit: 'fill', topK: 3 });
        // Label files list synonyms ("hotdog, hot dog, red hot"); SOURCES.md names the first.
        assert.equal(result.top?.label.split(',')[0], label, JSON.stringify(result.predictions));
        // Probabilities, not softmax applied twice to uint8 outputs.
        assert.ok((result.top?.score ?? 0) > 0.1 && (result.top?.score ?? 2) <= 1);
      });
    }

    it('keeps the worker tensor count flat', async function () {
      const image = readImage('parrot.jpg');
      await classifier.classify(image);
      const before = await classifierDiagnostics.workerMemory(classifier);
      await Promise.all(Array.from({ length: 10 }, () => classifier.classify(image)));
      assert.equal((await classifierDiagnostics.workerMemory(classifier)).numTensors, before.numTensors);
    });
  });
}

suite('mobilenet_v2_1.0_224_quant.tflite', V2_QUANT_TFLITE, V2_EXPECTED);
suite('mobilenet_v1_0.25_128_quant.tflite', V1_025_128_QUANT_TFLITE, V1_128_EXPECTED);
