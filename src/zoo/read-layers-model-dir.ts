import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

interface ModelJson {
  modelTopology?: object;
  weightsManifest?: tf.io.WeightsManifestConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/**
 * Reads a TF.js model directory (model.json + weight shards) from disk into in-memory model
 * artifacts, for `tf.loadLayersModel(tf.io.fromMemory(...))` or `decodeWeights` without a
 * network or tfjs-node. Shards are concatenated in manifest order, as the weight specs expect.
 */
export function readLayersModelDir(dir: string): tf.io.ModelArtifacts {
  const jsonPath = path.join(dir, 'model.json');
  if (!fs.existsSync(jsonPath)) throw new Error(`No model.json in ${dir}: expected a TF.js model directory`);
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as ModelJson;
  if (!json.modelTopology || !json.weightsManifest) {
    throw new Error(`${jsonPath} is not a TF.js model: it needs both "modelTopology" and "weightsManifest"`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const shard of group.paths) shards.push(fs.readFileSync(path.join(dir, shard)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
  };
}

/** The weights of a TF.js model directory as named tensors ("<layer>/<weight>"); the caller disposes them. */
export function readLayersModelWeights(dir: string): tf.NamedTensorMap {
  const artifacts = readLayersModelDir(dir);
  return tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs ?? []);
}
