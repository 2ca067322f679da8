import type { ModelGraph } from '../graph';
import { type EncodedModel, type EncodedTensor, encodeTflite } from './encode-model';
import { type LoweredModel, type LoweredTensor, lowerGraph } from './lower-graph';
import { TensorType } from './schema-enums';

/** What the writer puts in the file's description: readers and people can tell a written file. */
export const WRITER_DESCRIPTION = 'Written by node-red-contrib-mobilenet-mqtt';

/** Little-endian bytes of float32 values (copied: the flatbuffer must own them). */
export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Little-endian bytes of int32 values. */
export function int32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

function floatTensor(tensor: LoweredTensor): EncodedTensor {
  const encoded: EncodedTensor = { name: tensor.name, shape: tensor.shape, type: TensorType.FLOAT32 };
  if (tensor.role === 'integers') return { ...encoded, type: TensorType.INT32, data: int32Bytes(tensor.values) };
  if (tensor.role !== 'activation') encoded.data = float32Bytes(tensor.values);
  return encoded;
}

/** The subgraph outputs of a lowered model: the scores, then the embedding when there is one. */
export function subgraphOutputs(lowered: LoweredModel): number[] {
  return lowered.embedding === undefined ? [lowered.output] : [lowered.output, lowered.embedding];
}

/**
 * The graph as a float32 `.tflite` (schema v3): one float32 input [1, h, w, c] taking the graph's
 * real-valued input (pixels already normalised), subgraph output 0 the class scores and, when the
 * graph has a global average pooling, output 1 the pooled features [1, features] (named
 * `embedding`). Quantisation grids the graph may carry (`requantize`) are not written: this is the
 * float model. Throws TfliteUnsupportedError for a graph it cannot express.
 */
export function writeTflite(graph: ModelGraph): Uint8Array {
  const lowered = lowerGraph(graph);
  const model: EncodedModel = {
    description: `${WRITER_DESCRIPTION}: float32`,
    subgraphName: lowered.name,
    tensors: lowered.tensors.map(floatTensor),
    operators: lowered.ops.map((op) => ({
      code: op.code,
      version: 1,
      inputs: op.inputs,
      outputs: op.outputs,
      options: op.options,
    })),
    inputs: [lowered.input],
    outputs: subgraphOutputs(lowered),
  };
  return encodeTflite(model);
}
