import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { directoryHandler, readModelJson } from '../model/model-files';
import { layersModelToGraph } from '../model/layers-to-graph';
import { GraphConversionError, ModelLoadError } from '../model/errors';
import type { ModelFormat } from '../model/model-format';
import type { Normalization } from '../model/normalization';
import { compileGraph, type Executable, poolToEmbedding } from './compile-graph';
import { toError } from '../to-error';

// The TF.js readers are loaded by the format that needs them (layers or graph models), so a worker starting on one
// format never parses the other's library (1.2–1.5 MB of JavaScript each).
const layersLibrary = (): typeof import('@tensorflow/tfjs-layers') => require('@tensorflow/tfjs-layers');
const converterLibrary = (): typeof import('@tensorflow/tfjs-converter') => require('@tensorflow/tfjs-converter');

/** What the worker needs to load a model that is already on local disk. */
export interface LocalModelSpec {
  format: ModelFormat;
  /** A directory holding model.json (layers/graph) or a .tflite file. */
  path: string;
  /** Run a layers model as-is instead of as the fused graph (for comparison and debugging). */
  unfused?: boolean;
  /** TFLite: skip re-quantising activations (faster, further from the interpreter). */
  float?: boolean;
  /** A layers model's `.tflite` the package wrote before (writtenTfliteFor), found by the thread that asks. */
  writtenTflite?: string;
}

/**
 * How a model is executed. On TF.js: the fused graph, or the TF.js library's own model object. On
 * LiteRT.js: the `.tflite` file as it is (`tflite-file`), or a `.tflite` the package wrote from the
 * model's graph (`written-tflite`).
 */
export type ExecutionMode = 'fused-graph' | 'layers-model' | 'graph-model' | 'tflite-file' | 'written-tflite';

export interface LoadedExecutable {
  executable: Executable;
  /** [height, width, channels] */
  inputShape: [number, number, number];
  mode: ExecutionMode;
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
    throw new ModelLoadError(
      `${source} takes input of shape [${shape.join(', ')}]; an image classifier takes [batch, height, width, ` +
        `channels] with a fixed size`,
    );
  }
  return [height, width, channels];
}

async function loadLayers(spec: LocalModelSpec): Promise<LoadedExecutable> {
  const model = await layersLibrary().loadLayersModel(directoryHandler(spec.path));
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
  return { executable: layersExecutable(model), inputShape, mode: 'layers-model', fallbackReason };
}

/**
 * Runs a layers model as-is. When its last global average pooling is a layer of its own (not
 * inside a nested model), a second model over the same layers also outputs that layer's tensor,
 * so the scores and the embedding come from one predict.
 */
function layersExecutable(model: tfl.LayersModel): Executable {
  const pool = [...model.layers].reverse().find((layer) => layer.getClassName() === 'GlobalAveragePooling2D');
  const run = (input: tf.Tensor4D): tf.Tensor2D => model.predict(input) as tf.Tensor2D;
  if (!pool || model.outputs.length !== 1) return { run, dispose: () => model.dispose() };
  const both = layersLibrary().model({
    inputs: model.inputs,
    outputs: [model.outputs[0], pool.output as tfl.SymbolicTensor],
  });
  return {
    run,
    runWithEmbedding: (input) => {
      const [scores, pooled] = both.predict(input) as tf.Tensor[];
      const embedding = poolToEmbedding(pooled);
      pooled.dispose();
      return { scores: scores as tf.Tensor2D, embedding };
    },
    // The second model shares the first one's layers and weights: disposing the first frees them.
    dispose: () => model.dispose(),
  };
}

/** The last average over space in a GraphDef (a MobileNet's global pooling), by node name. */
async function graphPoolNode(dir: string): Promise<string | undefined> {
  const topology = (await readModelJson(dir)).modelTopology as { node?: Array<{ name?: string; op?: string }> };
  const nodes = topology.node ?? [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const { op, name } = nodes[i];
    if ((op === 'Mean' || op === 'AvgPool') && name) return name;
  }
  return undefined;
}

async function loadGraph(spec: LocalModelSpec): Promise<LoadedExecutable> {
  const model = await converterLibrary().loadGraphModel(directoryHandler(spec.path));
  const inputShape = shapeOf(model.inputs[0].shape ?? [], spec.path);
  const flatten = (scores: tf.Tensor, batch: number) => tf.reshape(scores, [batch, -1]) as tf.Tensor2D;
  const poolNode = await graphPoolNode(spec.path);
  const outputNode = model.outputNodes[0];
  return {
    // Graph models from the TF.js converter are already fused (BN folded, _FusedConv2D).
    executable: {
      run: (input) => tf.tidy(() => flatten(model.predict(input) as tf.Tensor, input.shape[0])),
      ...(poolNode && model.outputNodes.length === 1
        ? {
            runWithEmbedding: (input: tf.Tensor4D) =>
              tf.tidy(() => {
                const [scores, pooled] = model.execute(input, [outputNode, poolNode]) as tf.Tensor[];
                return { scores: flatten(scores, input.shape[0]), embedding: poolToEmbedding(pooled) };
              }),
          }
        : {}),
      dispose: () => model.dispose(),
    },
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
  const imported = importTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    float: spec.float,
  });
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
