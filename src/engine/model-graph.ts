import * as fs from 'node:fs/promises';
import * as tfl from '@tensorflow/tfjs-layers';
import { GraphConversionError, ModelLoadError } from '../model/errors';
import type { ModelGraph } from '../model/graph';
import { layersModelToGraph } from '../model/layers-to-graph';
import { directoryHandler } from '../model/model-files';
import type { ModelFormat } from '../model/model-format';
import type { Normalization } from '../model/normalization';
import { toError } from '../to-error';

/** A model on disk read into the graph representation, with what its file says of its input. */
export interface LoadedGraph {
  graph: ModelGraph;
  /** Set when the file dictates it (a `.tflite`); otherwise the catalog's or the caller's applies. */
  normalization?: Normalization;
  /** True when the model computes on integers (a quantised `.tflite`). */
  quantized: boolean;
}

/**
 * Reads a local model into the graph representation: a TF.js layers model (Teachable Machine
 * exports included) through the fused-graph reader on the active TF.js backend, a `.tflite`
 * through the TFLite reader. A TF.js graph model has no reader into the graph representation, so
 * it is refused with a GraphConversionError saying so.
 */
export async function loadModelGraph(format: ModelFormat, localPath: string): Promise<LoadedGraph> {
  if (format === 'graph') {
    throw new GraphConversionError(
      `${localPath} is a TF.js graph model; only layers models and .tflite files can be read into the graph ` +
        'representation (and so written as .tflite)',
    );
  }
  if (format === 'layers') {
    const model = await tfl.loadLayersModel(directoryHandler(localPath));
    try {
      return { graph: layersModelToGraph(model), quantized: false };
    } finally {
      model.dispose();
    }
  }
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(localPath);
  } catch (error) {
    throw new ModelLoadError(`Cannot read ${localPath}: ${toError(error).message}`);
  }
  const { importTflite } = require('../model/tflite') as typeof import('../model/tflite');
  const imported = importTflite(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { float: true });
  return {
    graph: imported.graph,
    normalization: imported.normalization,
    quantized: imported.inputDtype !== 'float32',
  };
}
