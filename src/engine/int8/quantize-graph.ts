import type { ModelGraph } from '../../model/graph';
import type { Normalization } from '../../model/normalization';
import type { TensorRange } from '../../model/tflite/int8-grids';
import { type Int8WriteResult, writeInt8Tflite } from '../../model/tflite/write-int8-tflite';
import { calibrate } from './calibrate';
import { calibrationSet } from './calibration-set';

/**
 * With the generated default set, the logits feeding a softmax get this much room above and below
 * what was seen: generated pictures make no class confident, so their logits stay well inside a
 * photo's (V1 0.25: largest 15.8 over the generated set, 23.2 over 95 photos), and a clipped top
 * logit lowers exactly the score that matters. Wider steps cost less than clipping there.
 */
export const GENERATED_LOGIT_HEADROOM = 1.5;

/** Widens the range of every tensor a softmax reads by `factor`. */
function widenLogits(graph: ModelGraph, ranges: Map<string, TensorRange>, factor: number): void {
  for (const op of graph.ops) {
    if (op.op !== 'softmax') continue;
    const range = ranges.get(op.inputs[0]);
    if (range) ranges.set(op.inputs[0], { min: range.min * factor, max: range.max * factor });
  }
}

export interface Int8Quantization extends Int8WriteResult {
  /** What the activation ranges were measured on. */
  calibration: string;
  /** How many calibration images ran. */
  images: number;
}

/**
 * Full-integer post-training quantisation of a float graph: runs it on the TF.js engine over the
 * calibration images (`calibrateDir`, or the generated default set) to measure every activation's
 * range, then writes the int8 `.tflite`. Uses the caller's TF.js backend.
 */
export async function quantizeGraphToInt8(
  graph: ModelGraph,
  normalization: Normalization,
  calibrateDir?: string,
): Promise<Int8Quantization> {
  if (graph.input.quant || graph.ops.some((op) => op.requantize)) {
    throw new Error(
      `Model "${graph.name}" is already quantised; int8 quantisation starts from a float model (run a quantised ` +
        `.tflite as it is)`,
    );
  }
  const set = await calibrationSet(graph.input.shape, normalization, calibrateDir);
  const { ranges, means } = calibrate(graph, set.inputs);
  if (calibrateDir === undefined) widenLogits(graph, ranges, GENERATED_LOGIT_HEADROOM);
  const written = writeInt8Tflite(graph, { normalization, ranges, means, calibration: set.description });
  return { ...written, calibration: set.description, images: set.inputs.length };
}
