import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-converter';
import { directoryHandler } from '../model/model-files';
import { layersModelToGraph } from '../model/layers-to-graph';
import { GraphConversionError, ModelLoadError } from '../model/errors';
import type { ModelFormat } from '../model/model-format';
import type { Normalization } from '../model/normalization';
import { compileGraph, type Executable } from './compile-graph';
import { toError } from '../to-error';

/** What the worker needs to load a model that is already on local disk. */
export interface LocalModelSpec {
  format: ModelFormat;
  /** A directory holding model.json (layers/graph) or a .tflite file. */
  path: string;
  /** Run a layers model as-is instead of as the fused graph (for comparison and debugging). */
  unfused?: boolean;
  /** TFLite: skip re-quantising activations (faster, further from the interpreter). */
  float?: boolean;
}

export interface LoadedExecutable {
  executable: Executable;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  /** How the model was executed: the fused graph, or the library's own model object. */
  mode: 'fused-graph' | 'layers-model' | 'graph-model';
  /** Why a layers model could not be fused, when it was not. */
  fallbackReason?: string;
  /** Labels the file carries itself (TFLite metadata). */
  embeddedLabels?: string[];
  /** What the output holds, when the file says so (TFLite); otherwise the worker tells from a probe run. */
  scores?: 'probabilities' | 'logits';
  /** Pixel → input mapping the file itself dictates (TFLite quantised input). */
  normalization?: Normalization;
}

function shapeOf(shape: Array<number | null>, source: string): [number, number, number] {
  const [, height, width, channels] = shape;
  if (shape.length !== 4 || !height || !width || !channels) {
    throw new ModelLoadError(`${source} takes input of shape [${shape.join(', ')}]; an image classifier takes [batch, height, width, channels] with a fixed size`);
  }
  return [height, width, channels];
}

async function loadLayers(spec: LocalModelSpec): Promise<LoadedExecutable> {
  const model = await tfl.loadLayersModel(directoryHandler(spec.path));
  const inputShape = shapeOf(model.inputs[0].shape, spec.path);
  let fallbackReason = 'requested unfused execution';
  if (!spec.unfused) {
    try {
      const executable = compileGraph(layersModelToGraph(model));
      model.dispose();
      return { executable, inputShape, mode: 'fused-graph' };
    } catch (error) {
      if (!(error instanceof GraphConversionError)) throw error;
      fallbackReason = error.message;
    }
  }
  return {
    executable: { run: (input) => model.predict(input) as tf.Tensor2D, dispose: () => model.dispose() },
    inputShape,
    mode: 'layers-model',
    fallbackReason,
  };
}

async function loadGraph(spec: LocalModelSpec): Promise<LoadedExecutable> {
  const model = await tfc.loadGraphModel(directoryHandler(spec.path));
  const inputShape = shapeOf(model.inputs[0].shape ?? [], spec.path);
  return {
    // Graph models from the TF.js converter are already fused (BN folded, _FusedConv2D).
    executable: { run: (input) => tf.tidy(() => tf.reshape(model.predict(input) as tf.Tensor, [input.shape[0], -1]) as tf.Tensor2D), dispose: () => model.dispose() },
    inputShape,
    mode: 'graph-model',
  };
}

async function loadTflite(spec: LocalModelSpec): Promise<LoadedExecutable> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(spec.path);
  } catch (error) {
    throw new ModelLoadError(`Cannot read ${spec.path}: ${toError(error).message}`);
  }
  // Required lazily: the TFLite reader is only needed by users who run .tflite files.
  const { importTflite } = require('../model/tflite') as typeof import('../model/tflite');
  const imported = importTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { float: spec.float });
  return {
    executable: compileGraph(imported.graph, { float: spec.float }),
    inputShape: imported.graph.input.shape,
    mode: 'fused-graph',
    embeddedLabels: imported.labels,
    normalization: imported.normalization,
    scores: imported.scores,
  };
}

/** Loads a local model onto the active backend, as the fused graph whenever the format allows. */
export async function loadExecutable(spec: LocalModelSpec): Promise<LoadedExecutable> {
  switch (spec.format) {
    case 'layers':
      return loadLayers(spec);
    case 'graph':
      return loadGraph(spec);
    case 'tflite':
      return loadTflite(spec);
  }
}
