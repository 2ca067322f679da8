import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { cachedModelPath } from '../store/download';
import { buildMobileNet } from '../zoo/build-layers-model';
import { CATALOG } from '../zoo/catalog';
import type { GridPoint } from './grid';

/**
 * Where the model file of a grid point comes from. Latency does not depend on weight values, so a
 * point whose official weights are not on this machine is timed with the architecture builder's
 * network (He-initialised, the same layers and shapes); real files are used where they are here.
 */
export type Precision = 'float' | 'int8';

export interface ModelSource {
  /** What the child loads: a model directory or a .tflite file. */
  model: string;
  /** 'builder' (architecture only), 'cached' (official weights in the model cache) or 'local' (a file given). */
  origin: 'builder' | 'cached' | 'local';
}

/** Files already on disk, keyed by `${arch}_${alpha}_${resolution}_${precision}` (see sourceKey). */
export type LocalModels = Record<string, string>;

export function sourceKey(point: GridPoint, precision: Precision): string {
  return `${point.arch}_${point.alpha}_${point.resolution}_${precision}`;
}

/** A builder network saved as a TF.js layers model (model.json + one weights file) in `dir`. */
export async function writeBuilderModel(point: GridPoint, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await tf.setBackend('cpu');
  const model = buildMobileNet({ ...point, classes: 1000 }, { seed: 1 });
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        const json = {
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } finally {
    model.dispose();
  }
  return dir;
}

/** The official file for the point in the model cache, without any network; undefined when not cached. */
export async function cachedOfficialModel(point: GridPoint, precision: Precision): Promise<string | undefined> {
  const entry = CATALOG.find(
    (e) =>
      e.arch === point.arch &&
      e.alpha === point.alpha &&
      e.resolution === point.resolution &&
      e.quantized === (precision === 'int8') &&
      !e.name.startsWith('tfhub_'),
  );
  if (!entry) return undefined;
  try {
    // The model directory, or the .tflite file itself (taken out of its archive when it came in one).
    return await cachedModelPath(entry.url, { name: entry.name, sha256: entry.sha256 });
  } catch {
    return undefined;
  }
}

/**
 * Turns a float network into an int8 model file, when this build of the package can (the .tflite
 * writer and quantiser). Until then int8 points are timed only where an int8 file is on disk.
 */
export type Int8Converter = (floatModelDir: string, outFile: string) => Promise<string>;

export interface SourceOptions {
  local?: LocalModels;
  workDir: string;
  int8Converter?: Int8Converter;
}

/** The model to time for a point and precision, or undefined when there is none at that precision here. */
export async function modelFor(
  point: GridPoint,
  precision: Precision,
  options: SourceOptions,
): Promise<ModelSource | undefined> {
  const local = options.local?.[sourceKey(point, precision)];
  if (local) return { model: local, origin: 'local' };
  const cached = await cachedOfficialModel(point, precision);
  if (cached) return { model: cached, origin: 'cached' };
  const floatDir = path.join(options.workDir, `${point.arch}_${point.alpha}_${point.resolution}_builder`);
  try {
    await fs.access(path.join(floatDir, 'model.json'));
  } catch {
    await writeBuilderModel(point, floatDir);
  }
  if (precision === 'float') return { model: floatDir, origin: 'builder' };
  if (!options.int8Converter) return undefined;
  const out = path.join(options.workDir, `${point.arch}_${point.alpha}_${point.resolution}_int8.tflite`);
  return { model: await options.int8Converter(floatDir, out), origin: 'builder' };
}
