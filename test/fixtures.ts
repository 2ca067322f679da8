import * as fs from 'node:fs';
import * as path from 'node:path';

/** Root of the shared fixtures (real models and photos); never copied into the repo. */
export const FIXTURES = path.resolve(
  process.env.MOBILENET_FIXTURES ?? path.join(__dirname, '..', '..', '..', 'shared'),
);

export const MODELS = path.join(FIXTURES, 'models');
export const IMAGES = path.join(FIXTURES, 'images');

export const V1_025_LAYERS_DIR = path.join(MODELS, 'mobilenet_v1_0.25_224_tfjs_layers');
export const V2_QUANT_TFLITE = path.join(
  MODELS,
  'mobilenet_v2_1.0_224_quant_tflite',
  'mobilenet_v2_1.0_224_quant.tflite',
);
export const V1_025_128_QUANT_TFLITE = path.join(
  MODELS,
  'mobilenet_v1_0.25_128_quant_tflite',
  'mobilenet_v1_0.25_128_quant.tflite',
);

export function imagePath(file: string): string {
  return path.join(IMAGES, file);
}

export function readImage(file: string): Buffer {
  return fs.readFileSync(imagePath(file));
}

/** The reference outputs recorded for a model folder: {photo: scores[]}. */
export function referenceOutputs(modelFolder: string): Record<string, number[]> {
  return JSON.parse(fs.readFileSync(path.join(MODELS, modelFolder, 'reference', 'outputs.json'), 'utf8')) as Record<
    string,
    number[]
  >;
}

/** ImageNet class names as listed beside the fixture models (1001 lines, line 0 = background). */
export function fixtureImagenetLabels(): string[] {
  return fs
    .readFileSync(path.join(V1_025_LAYERS_DIR, 'imagenet_labels.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}
