import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RESIZE_KERNELS } from '../../src/image/options';
import { prepareImage } from '../../src/image/preprocess';
import { MODELS, readImage } from '../fixtures';
import { meanAbsDiff } from './sample-images';

// The models' reference inputs were made by PIL's bilinear whole-image resize (models/SOURCES.md).
// Our `fill` output should be as close to those bytes as sharp allows, so that the reference
// outputs hold for what the runner really feeds the model.
const PHOTOS = [
  'parrot.jpg',
  'coffee.png',
  'cat_720p.jpg',
  'hot_dog.jpg',
  'owl.jpg',
  'rocket.jpg',
  'chelsea.png',
  'astronaut.png',
  'dragonfly.png',
  'grace_hopper.png',
];
// Allowed mean difference per value. At 128 the reductions reach 7× (parrot.jpg, 929 rows), where
// libvips box-shrinks by an integer factor before its linear pass and drifts from PIL's single
// wide triangle filter (measured: parrot 1.43, astronaut 0.88, the rest ≤ 0.8).
const SIZES: Array<[string, number, number]> = [
  ['mobilenet_v1_0.25_224_tfjs_layers', 224, 0.5],
  ['mobilenet_v1_0.25_128_quant_tflite', 128, 1.5],
];

function reference(folder: string, photo: string, size: number): Buffer {
  return fs.readFileSync(path.join(MODELS, folder, 'reference', `${photo}.${size}.rgb`));
}

async function diffToReference(photo: string, folder: string, size: number, options: object = {}): Promise<number> {
  const out = await prepareImage(readImage(photo), { width: size, height: size, fit: 'fill', ...options });
  return meanAbsDiff(out.rgb, reference(folder, photo, size));
}

describe('prepareImage against the PIL bilinear reference inputs', function () {
  this.timeout(300000);

  for (const [folder, size, allowed] of SIZES) {
    it(`the default kernel is within ${allowed} per value of every reference at ${size}×${size}`, async function () {
      for (const photo of PHOTOS) {
        const diff = await diffToReference(photo, folder, size);
        assert.ok(diff < allowed, `${photo}: ${diff.toFixed(3)}`);
      }
    });
  }

  it('the default (linear) is the closest of all sharp kernels on average', async function () {
    const means = new Map<string, number>();
    for (const kernel of RESIZE_KERNELS) {
      let sum = 0;
      for (const photo of PHOTOS) sum += await diffToReference(photo, SIZES[0][0], 224, { kernel });
      means.set(kernel, sum / PHOTOS.length);
    }
    const defaultMean = await Promise.all(PHOTOS.map((p) => diffToReference(p, SIZES[0][0], 224))).then(
      (d) => d.reduce((a, b) => a + b) / d.length,
    );
    if (process.env.IMAGE_KERNEL_REPORT) {
      console.log([...means].map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' · '));
    }
    const best = [...means].sort((a, b) => a[1] - b[1])[0];
    assert.equal(best[0], 'linear');
    assert.equal(defaultMean, means.get('linear'));
  });

  it('ignoring embedded ICC profiles (the default) is what matches: rocket.jpg carries one', async function () {
    const ignored = await diffToReference('rocket.jpg', SIZES[0][0], 224);
    const applied = await diffToReference('rocket.jpg', SIZES[0][0], 224, { applyIccProfile: true });
    assert.ok(ignored < 0.5, `ICC ignored: ${ignored}`);
    assert.ok(applied > 2, `ICC applied: ${applied}`);
  });
});
