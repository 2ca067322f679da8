import type { GraphOp, ModelGraph, QuantGrid } from '../graph';
import type { Normalization } from '../normalization';
import { TfliteFormatError, TfliteUnsupportedError } from './errors';
import { EMBEDDING_TENSOR_NAME } from './embedding-output';
import { Model } from './model-tables';
import { readTfliteMetadata } from './read-metadata';
import { TensorType, tensorTypeName } from './schema-enums';
import { TensorTable } from './tensor-table';
import { translateOperator } from './translate-operator';

export interface ImportedTflite {
  graph: ModelGraph;
  /** From the metadata's associated label file (1001 entries with `background` kept at 0). */
  labels?: string[];
  /** How to turn 0..255 pixels into the graph's real-valued input: real = pixel * scale + offset. */
  normalization: Normalization;
  inputDtype: 'uint8' | 'int8' | 'float32';
  description?: string;
  /**
   * 'probabilities' when the graph ends in SOFTMAX or LOGISTIC. Say it rather than guess from
   * the values: uint8 probabilities are multiples of 1/256 and sum to anything from ~0.85 to 1.
   */
  scores: 'probabilities' | 'logits';
  /**
   * The position among the subgraph outputs of a float32 output named `embedding`: the pooled
   * features [1, features] the package's writer adds (float32 and int8 files alike), so an engine
   * running the file reads the embedding there instead of finding the pooling itself.
   */
  embeddingOutput?: number;
}

export interface ImportTfliteOptions {
  /** Leave out the per-op re-quantisation grids: faster, slightly further from the interpreter. */
  float?: boolean;
}

const INPUT_DTYPES: Record<number, ImportedTflite['inputDtype']> = {
  [TensorType.UINT8]: 'uint8',
  [TensorType.INT8]: 'int8',
  [TensorType.FLOAT32]: 'float32',
};

/**
 * How pixels become the input's real values. A uint8 input with grid (s, z) takes the raw pixel
 * p as its integer, meaning (p - z) * s. An int8 input takes p - 128 as its integer (TFLite's
 * convention for int8 image models). A float input uses the metadata's normalisation, else the
 * MobileNet convention [-1, 1].
 */
function pixelNormalization(
  dtype: ImportedTflite['inputDtype'],
  grid: QuantGrid | undefined,
  metadata?: { mean: number; std: number },
): ImportedTflite['normalization'] {
  if (dtype !== 'float32' && grid) {
    const shift = dtype === 'int8' ? 128 : 0;
    return { scale: grid.scale, offset: 0 - (grid.zeroPoint + shift) * grid.scale };
  }
  // `0 -` rather than unary minus: a zero mean gives offset 0, not -0.
  if (metadata) return { scale: 1 / metadata.std, offset: 0 - metadata.mean / metadata.std };
  return { scale: 1 / 127.5, offset: -1 };
}

/** Follows the output back through reshapes to the op that computed it. */
function endsInProbabilities(ops: GraphOp[], output: string): boolean {
  let name = output;
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i];
    if (op.output !== name) continue;
    if (op.op === 'softmax' || op.op === 'logistic') return true;
    if (op.op !== 'reshape' && op.op !== 'squeeze' && op.op !== 'identity') return false;
    name = op.inputs[0];
  }
  return false;
}

/** Reads a `.tflite` classifier (schema v3) into the package's ModelGraph. */
export function importTflite(bytes: Uint8Array, options: ImportTfliteOptions = {}): ImportedTflite {
  const model = Model.fromBytes(bytes);
  const subgraphs = model.subgraphs();
  if (subgraphs.length === 0) throw new TfliteFormatError('TFLite model has no subgraph');
  const subgraph = subgraphs[0];
  const tensors = new TensorTable(subgraph.tensors(), model.buffers());

  const inputs = subgraph.inputs();
  const outputs = subgraph.outputs();
  if (inputs.length !== 1)
    throw new TfliteUnsupportedError(`TFLite model has ${inputs.length} inputs; a classifier takes exactly one image`);
  if (outputs.length < 1) throw new TfliteFormatError('TFLite model declares no output tensor');
  const inputIndex = inputs[0];
  tensors.tensor(inputIndex, 'The subgraph input');
  const inputShape = tensors.shape(inputIndex);
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d < 1)) {
    throw new TfliteUnsupportedError(
      `TFLite input ${tensors.describe(inputIndex)} has shape [${inputShape.join(', ')}]; an image classifier takes ` +
        `[batch, height, width, channels]`,
    );
  }
  const inputType = tensors.type(inputIndex);
  const inputDtype = INPUT_DTYPES[inputType];
  if (!inputDtype)
    throw new TfliteUnsupportedError(
      `TFLite input type ${tensorTypeName(inputType)} is not supported (valid: UINT8, INT8, FLOAT32)`,
    );
  const inputGrid = tensors.grid(inputIndex);

  const constants: ModelGraph['constants'] = {};
  const produced = new Set<string>([tensors.graphName(inputIndex)]);
  const context = {
    tensors,
    operand(index: number): string {
      tensors.tensor(index, 'An operator input');
      const name = tensors.graphName(index);
      if (!produced.has(name) && tensors.isConstant(index)) {
        constants[name] = tensors.weight(index);
        produced.add(name);
      }
      return name;
    },
  };

  const codes = model.operatorCodes();
  const ops: GraphOp[] = [];
  for (const operator of subgraph.operators()) {
    const code = codes[operator.opcodeIndex()];
    if (!code)
      throw new TfliteFormatError(
        `Operator ${operator.index} names operator code ${operator.opcodeIndex()}, but the model has ${codes.length}`,
      );
    const op = translateOperator(operator, code.builtinCode(), code.customCode(), context);
    if (!op) continue;
    for (const name of op.inputs) {
      if (!produced.has(name))
        throw new TfliteFormatError(`Operator ${operator.index} reads ${name}, which no earlier operator produces`);
    }
    const grid = options.float ? undefined : tensors.grid(operator.outputs()[0]);
    if (grid) op.requantize = grid;
    ops.push(op);
    produced.add(op.output);
  }

  const outputName = tensors.graphName(outputs[0]);
  if (!produced.has(outputName))
    throw new TfliteFormatError(`TFLite output ${tensors.describe(outputs[0])} is produced by no operator`);

  const metadata = readTfliteMetadata(model, bytes);
  const graph: ModelGraph = {
    name: metadata.name ?? subgraph.name() ?? 'tflite',
    input: {
      name: tensors.graphName(inputIndex),
      shape: [inputShape[1], inputShape[2], inputShape[3]],
      ...(inputGrid && inputDtype !== 'float32' ? { quant: inputGrid } : {}),
    },
    output: outputName,
    ops,
    constants,
  };
  const description = metadata.description ?? model.description();
  const embeddingOutput = outputs.findIndex(
    (index, position) =>
      position > 0 &&
      tensors.tensor(index, 'A subgraph output').name() === EMBEDDING_TENSOR_NAME &&
      tensors.type(index) === TensorType.FLOAT32,
  );
  return {
    graph,
    ...(metadata.labels ? { labels: metadata.labels } : {}),
    normalization: pixelNormalization(inputDtype, inputGrid, metadata.normalization),
    inputDtype,
    ...(description ? { description } : {}),
    scores: endsInProbabilities(ops, outputName) ? 'probabilities' : 'logits',
    ...(embeddingOutput > 0 ? { embeddingOutput } : {}),
  };
}
