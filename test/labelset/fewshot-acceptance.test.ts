import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LabelSet } from '../../src/labelset/label-set';
import { makeThumbnail } from '../../src/labelset/thumbnail';
import { Classifier } from '../../src/runner/classifier';
import { imagePath, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';
import { FEWSHOT_SETS, fewshotPhotos, type Photo, split, UNRELATED_PHOTOS } from './fewshot-photos';
import { tempFolder } from './helpers';

const MODELS = [
  { name: 'V1 0.25/224 TF.js layers', model: V1_025_LAYERS_DIR },
  { name: 'V2 1.0/224 uint8 .tflite', model: V2_QUANT_TFLITE },
];

/** Teaches the first five shots per class (file-name order, mirrored twins kept on the taught side). */
async function teach(classifier: Classifier, photos: Photo[], folder: string): Promise<LabelSet> {
  const { fingerprint, embeddingSize, name } = classifier.info;
  const set = await LabelSet.open(folder, { fingerprint, embeddingSize, modelName: name, create: true });
  for (const photo of photos) {
    const image = fs.readFileSync(photo.path);
    await set.add(photo.label, await classifier.embed(image), await makeThumbnail(image));
  }
  return set;
}

async function accuracy(classifier: Classifier, set: LabelSet, photos: Photo[]) {
  let top1 = 0;
  let answered = 0;
  const wrong: string[] = [];
  for (const photo of photos) {
    const result = set.match(await classifier.embed(fs.readFileSync(photo.path)));
    if (result.scores[0].label === photo.label) top1++;
    else wrong.push(`${photo.label}/${photo.file} → ${result.scores[0].label}`);
    if (result.label === photo.label) answered++;
  }
  return { top1: top1 / photos.length, answered: answered / photos.length, wrong };
}

for (const { name, model } of MODELS) {
  describe(`Label set few-shot acceptance, real photos: ${name}`, function () {
    this.timeout(600_000);
    let classifier: Classifier;

    before(async function () {
      classifier = await Classifier.load({ model, queuePolicy: 'wait' });
    });

    after(async function () {
      await classifier?.dispose();
    });

    for (const photoSet of FEWSHOT_SETS) {
      it(`${photoSet}: 5 photos taught per class, ≥ 95% top-1 on every other photo (defaults)`, async function () {
        const { teach: taught, heldOut } = split(fewshotPhotos(photoSet), 5);
        assert.ok(heldOut.length >= 30, `${heldOut.length} held-out photos`);
        const set = await teach(classifier, taught, tempFolder(`accept-${photoSet}`));
        const { top1, answered, wrong } = await accuracy(classifier, set, heldOut);
        assert.ok(top1 >= 0.95, `top-1 ${(100 * top1).toFixed(1)}%: ${wrong.join(', ')}`);
        // Right and confident: what a flow sees with the defaults (unknown counts as wrong here).
        assert.ok(answered >= 0.9, `right and not unknown: ${(100 * answered).toFixed(1)}%`);
      });
    }

    it('with the fruit taught, at least 8 of the 10 unrelated photos come out unknown', async function () {
      const { teach: taught } = split(fewshotPhotos('fruit'), 5);
      const set = await teach(classifier, taught, tempFolder('accept-unknown'));
      const answers = [];
      for (const file of UNRELATED_PHOTOS) {
        answers.push({ file, ...set.match(await classifier.embed(fs.readFileSync(imagePath(file)))) });
      }
      const unknown = answers.filter((a) => a.label === 'unknown' && !a.known);
      const named = answers.filter((a) => a.known).map((a) => `${a.file} → ${a.label} ${a.score.toFixed(2)}`);
      assert.ok(unknown.length >= 8, `only ${unknown.length}/10 unknown; named: ${named.join(', ')}`);
    });
  });
}

describe('Label set reembed from stored crops, real photos', function () {
  this.timeout(600_000);

  it('a set taught with V1 0.25/128 .tflite, refused by V1 0.25/224, answers it after reembed', async function () {
    const folder = tempFolder('reembed-real');
    const { teach: taught, heldOut } = split(fewshotPhotos('fork_scissors'), 5);
    const first = await Classifier.load({ model: V1_025_128_QUANT_TFLITE, queuePolicy: 'wait' });
    try {
      await teach(first, taught, folder);
    } finally {
      await first.dispose();
    }
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait' });
    try {
      const { fingerprint, embeddingSize } = classifier.info;
      await assert.rejects(LabelSet.open(folder, { fingerprint, embeddingSize }), /taught with model .*reembed/);
      const changed = await LabelSet.open(folder, { fingerprint, embeddingSize, allowModelChange: true });
      assert.equal(changed.needsReembed, true);
      assert.equal(await changed.reembed((jpeg) => classifier.embed(jpeg)), 10);
      const after = await accuracy(classifier, changed, heldOut);
      assert.ok(after.top1 >= 0.95, `after reembed ${(100 * after.top1).toFixed(1)}%: ${after.wrong.join(', ')}`);
      assert.equal((await LabelSet.open(folder, { fingerprint, embeddingSize })).model.fingerprint, fingerprint);
    } finally {
      await classifier.dispose();
    }
  });
});
