import * as fs from 'node:fs/promises';
import { selectBackend } from '../engine/backend';
import { quantizeGraphToInt8 } from '../engine/int8/quantize-graph';
import { loadModelGraph } from '../engine/model-graph';
import { MINUS_ONE_TO_ONE } from '../model/normalization';
import type { Int8Converter } from './model-sources';

/**
 * A float layers model (a builder network) → a full-integer int8 .tflite, as `mobilenet quantize
 * --int8` writes it, calibrated on its generated images: the grid's int8 points where no official
 * int8 file is on disk. The calibration of a random network is meaningless, its timing is not.
 */
export const int8FromLayers: Int8Converter = async (floatModelDir, outFile) => {
  await selectBackend('wasm');
  const loaded = await loadModelGraph('layers', floatModelDir);
  const result = await quantizeGraphToInt8(loaded.graph, MINUS_ONE_TO_ONE);
  await fs.writeFile(outFile, result.bytes);
  return outFile;
};
