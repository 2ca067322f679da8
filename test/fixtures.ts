import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODELS, V1_025_LAYERS_DIR } from '../fixtures';

export {
  FIXTURES,
  IMAGES,
  imagePath,
  MODELS,
  readImage,
  V1_025_128_QUANT_TFLITE,
  V1_025_LAYERS_DIR,
  V2_QUANT_TFLITE,
} from '../fixtures';

/** The reference outputs recorded for a model folder: {photo: scores[]}. */
export function referenceOutputs(modelFolder: string): Record<string, number[]> {
  const file = path.join(MODELS, modelFolder, 'reference', 'outputs.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number[]>;
}

/** ImageNet class names as listed beside the fixture models (1001 lines, line 0 = background). */
export function fixtureImagenetLabels(): string[] {
  const file = path.join(V1_025_LAYERS_DIR, 'imagenet_labels.txt');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

/** The ten photos whose model inputs were recorded by the independent pipeline (`reference/<photo>.224.rgb`). */
export const REFERENCE_PHOTOS = [
  'parrot.jpg',
  'coffee.png',
  'hot_dog.jpg',
  'dragonfly.png',
  'cat_720p.jpg',
  'chelsea.png',
  'grace_hopper.png',
  'rocket.jpg',
  'owl.jpg',
  'astronaut.png',
] as const;

/** The recorded 224×224 RGB model input of a reference photo, so a model test does not depend on the resizer. */
export function referencePixels(photo: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'reference', `${photo}.224.rgb`)));
}

/** Index of the largest value (the first one on a tie). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
