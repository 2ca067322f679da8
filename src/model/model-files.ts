import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { ModelLoadError } from './errors';
import type { ModelFormat } from './model-format';
import { toError } from '../to-error';

type ModelJSON = tf.io.ModelJSON;
type WeightsManifestEntry = tf.io.WeightsManifestEntry;

const BYTES_PER_DTYPE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
  string: 0,
};

/** Bytes a manifest entry occupies in its shard, taking quantisation into account. */
export function weightByteLength(entry: WeightsManifestEntry): number {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  const size = BYTES_PER_DTYPE[dtype];
  if (size === undefined || size === 0)
    throw new ModelLoadError(`Weight "${entry.name}" has unsupported dtype "${dtype}"`);
  return count * size;
}

export async function readModelJson(dir: string): Promise<ModelJSON> {
  const file = path.join(dir, 'model.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ModelLoadError(`Cannot read ${file}: ${toError(error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(`${file} is not valid JSON (${toError(error).message}); the model directory is corrupt`);
  }
  const model = json as Partial<ModelJSON>;
  if (!model || typeof model !== 'object' || !model.modelTopology || !Array.isArray(model.weightsManifest)) {
    throw new ModelLoadError(`${file} is not a TF.js model: it needs "modelTopology" and "weightsManifest"`);
  }
  return model as ModelJSON;
}

/** Layers models carry a Keras topology (`class_name`); graph models carry a GraphDef (`node`). */
export function detectModelJsonFormat(model: ModelJSON): Exclude<ModelFormat, 'tflite'> {
  if (model.format === 'graph-model') return 'graph';
  if (model.format === 'layers-model') return 'layers';
  const topology = model.modelTopology as Record<string, unknown>;
  if (Array.isArray(topology.node)) return 'graph';
  if (topology.class_name || topology.model_config || topology.config) return 'layers';
  throw new ModelLoadError(
    'model.json has neither a Keras topology nor a GraphDef; cannot tell layers from graph model',
  );
}

/**
 * Reads a model directory into TF.js ModelArtifacts, checking that every shard exists and has the
 * size the manifest promises, so a half-copied model fails here with a clear message rather than
 * deep inside TF.js.
 */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const model = await readModelJson(dir);
  const specs: WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of model.weightsManifest) {
    const expected = group.weights.reduce((sum, entry) => sum + weightByteLength(entry), 0);
    const shards: Buffer[] = [];
    for (const shardPath of group.paths) {
      const file = path.join(dir, shardPath);
      try {
        shards.push(await fs.readFile(file));
      } catch {
        throw new ModelLoadError(`Weight shard "${shardPath}" named in ${path.join(dir, 'model.json')} is missing`);
      }
    }
    const groupBytes = Buffer.concat(shards);
    if (groupBytes.length !== expected) {
      throw new ModelLoadError(
        `Weight shards ${group.paths.join(', ')} hold ${groupBytes.length} bytes but the manifest needs ${expected}; ` +
          `the model files are truncated or mismatched`,
      );
    }
    specs.push(...group.weights);
    buffers.push(groupBytes);
  }
  const all = Buffer.concat(buffers);
  return {
    modelTopology: model.modelTopology,
    format: model.format,
    generatedBy: model.generatedBy,
    convertedBy: model.convertedBy,
    signature: model.signature,
    userDefinedMetadata: model.userDefinedMetadata,
    modelInitializer: model.modelInitializer,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

/** An IOHandler over a local model directory, for tf.loadLayersModel / loadGraphModel. */
export function directoryHandler(dir: string): tf.io.IOHandler {
  return { load: () => readModelArtifacts(dir) };
}

/**
 * Bytes a model occupies: the .tflite file, or the files of a model directory (model.json, shards,
 * labels, metadata). Sub-folders are not the model and are not counted.
 */
export async function modelSizeOnDisk(modelPath: string): Promise<number> {
  const stat = await fs.stat(modelPath);
  if (stat.isFile()) return stat.size;
  let total = 0;
  for (const entry of await fs.readdir(modelPath, { withFileTypes: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(modelPath, entry.name))).size;
  }
  return total;
}
