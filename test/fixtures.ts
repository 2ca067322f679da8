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
