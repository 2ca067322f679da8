import type { GraphOp, ModelGraph } from '../graph';
import type { Normalization } from '../normalization';
import { type EncodedOperator, type EncodedTensor, encodeTflite } from './encode-model';
import { TfliteUnsupportedError } from './errors';
import {
  type Int8Grid,
  type TensorRange,
  activationGrid,
  biasScaleFloor,
  quantizeBias,
  symmetricPerChannel,
} from './int8-grids';
import { type LoweredOp, lowerGraph } from './lower-graph';
import { BuiltinOperator, TensorType } from './schema-enums';
import { WRITER_DESCRIPTION, int32Bytes, subgraphOutputs } from './write-tflite';

export interface Int8WriteOptions {
  /** How the float graph's input is made from 0..255 pixels; folded into the uint8 input's grid. */
  normalization: Normalization;
  /** Every activation's real range over the calibration images, by graph tensor name. */
  ranges: ReadonlyMap<string, TensorRange>;
  /**
   * Each tensor's mean per channel over the calibration images, by graph tensor name. With it, the
   * bias of each convolution absorbs the mean shift its weights' rounding causes (bias correction).
   */
  means?: ReadonlyMap<string, Float32Array>;
  /** Said in the file's description (what the ranges were measured on). */
  calibration?: string;
}

export interface Int8WriteResult {
  bytes: Uint8Array;
  /** The uint8 input's grid: the pixel p is the integer, meaning (p - zeroPoint) * scale. */
  input: { scale: number; zeroPoint: number };
  /**
   * The normalisation's offset that no integer zero point can express (x/127.5 − 1 needs zero point
   * 127.5): added back through the biases of the convolutions reading the input, or 0 when exact.
   */
  inputShift: number;
}

/**
 * Ops whose output takes the input's grid: TFLite's int8 kernels require it of pooling, reshapes
 * and padding, and a mean can never leave its input's range, so its grid loses nothing by it and
 * a calibration set that happens to give smaller means cannot clip the features.
 */
const SAME_GRID: ReadonlySet<LoweredOp['kind']> = new Set([
  'avgPool',
  'maxPool',
  'mean',
  'reshape',
  'squeeze',
  'pad',
  'embedding',
] as const);

/** Softmax and logistic outputs lie in [0, 1]: TFLite fixes their int8 grid to 1/256, zero point -128. */
const PROBABILITY_GRID: Int8Grid = { scale: 1 / 256, zeroPoint: -128 };

/** int8 operator versions (tensorflow/lite/tools/versioning): the version that introduced int8. */
const INT8_VERSIONS: Record<number, number> = {
  [BuiltinOperator.CONV_2D]: 3,
  [BuiltinOperator.DEPTHWISE_CONV_2D]: 3,
  [BuiltinOperator.FULLY_CONNECTED]: 4,
  [BuiltinOperator.ADD]: 2,
  [BuiltinOperator.MUL]: 2,
  [BuiltinOperator.AVERAGE_POOL_2D]: 2,
  [BuiltinOperator.MAX_POOL_2D]: 2,
  [BuiltinOperator.MEAN]: 2,
  [BuiltinOperator.SOFTMAX]: 2,
  [BuiltinOperator.LOGISTIC]: 2,
  [BuiltinOperator.PAD]: 2,
  [BuiltinOperator.RELU]: 2,
  [BuiltinOperator.RELU6]: 2,
  [BuiltinOperator.QUANTIZE]: 2,
  [BuiltinOperator.DEQUANTIZE]: 2,
};

/**
 * The uint8 input grid for a normalisation real = p × scale + offset: the same scale and the
 * nearest integer zero point. What is left over (the shift) is returned to be folded elsewhere.
 */
export function inputGrid(normalization: Normalization): { scale: number; zeroPoint: number; shift: number } {
  const { scale, offset } = normalization;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-offset / scale)));
  return { scale, zeroPoint, shift: offset + zeroPoint * scale };
}

/**
 * Returns the graph with the convolutions that read the input shifted by `shift` through their
 * biases (b + shift × Σ weights), so feeding (p − zeroPoint) × scale gives what p × scale + offset
 * gave. Exact except where SAME padding reads zeros past the image edge. Undefined when another
 * kind of op reads the input.
 */
function foldInputShift(graph: ModelGraph, shift: number): ModelGraph | undefined {
  const readers = new Set<GraphOp>(graph.ops.filter((op) => op.inputs.includes(graph.input.name)));
  for (const op of readers) if (op.op !== 'conv2d' && op.op !== 'depthwiseConv2d') return undefined;
  const ops = graph.ops.map((op): GraphOp => {
    if (!readers.has(op) || (op.op !== 'conv2d' && op.op !== 'depthwiseConv2d')) return op;
    const [kh, kw, cin, last] = op.filter.shape;
    const out = op.op === 'conv2d' ? last : cin * last;
    const bias = new Float32Array(out);
    for (let c = 0; c < out; c++) bias[c] = op.bias?.values[c] ?? 0;
    const perTap = op.op === 'conv2d' ? cin * last : out;
    for (let i = 0; i < kh * kw * perTap; i++) {
      // conv [kh, kw, in, out]: output channel i % out; depthwise [kh, kw, in, m]: channel i % (in × m).
      bias[i % out] += shift * op.filter.values[i];
    }
    return { ...op, bias: { shape: [out], values: bias } };
  });
  return { ...graph, ops };
}

/**
 * Writes the graph as a full-integer int8 `.tflite`, as the TFLite converter's post-training
 * quantisation does: uint8 input (raw pixels, the normalisation folded into its grid) and a
 * QUANTIZE to int8; int8 activations with grids from the calibration ranges; int8 weights,
 * symmetric per output channel (per tensor for fully-connected); int32 biases; the scores and the
 * embedding dequantised to float32 at the end, so outputs 0 and 1 read as in the float file.
 */
export function writeInt8Tflite(graph: ModelGraph, options: Int8WriteOptions): Int8WriteResult {
  const grid = inputGrid(options.normalization);
  let source = graph;
  let inputShift = 0;
  if (grid.shift !== 0) {
    const folded = foldInputShift(graph, grid.shift);
    if (folded) source = folded;
    else inputShift = grid.shift;
  }
  const lowered = lowerGraph(source);
  const { tensors } = lowered;
  const grids = new Map<number, Int8Grid>();
  grids.set(lowered.input, { scale: grid.scale, zeroPoint: grid.zeroPoint - 128 });

  const rangeOf = (name: string, where: string): TensorRange => {
    const range = options.ranges.get(name);
    if (!range) throw new TfliteUnsupportedError(`${where}: no calibration range for "${name}"`);
    return range;
  };
  for (const op of lowered.ops) {
    const output = op.outputs[0];
    const where = `int8 ${op.kind} → ${tensors[output].name}`;
    if (op.kind === 'concat')
      throw new TfliteUnsupportedError(`${where}: int8 CONCATENATION needs every input on one grid (not written)`);
    if (SAME_GRID.has(op.kind)) grids.set(output, grids.get(op.inputs[0]) as Int8Grid);
    else if (op.kind === 'softmax' || op.kind === 'logistic') grids.set(output, PROBABILITY_GRID);
    else grids.set(output, activationGrid(rangeOf(tensors[output].name, where)));
  }

  // Weights and biases need their op's input grid: encode op by op.
  const encoded: EncodedTensor[] = tensors.map((tensor, index) => {
    const activation = grids.get(index);
    if (tensor.role === 'activation')
      return { name: tensor.name, shape: tensor.shape, type: TensorType.INT8, quantization: scalar(activation) };
    if (tensor.role === 'integers')
      return { name: tensor.name, shape: tensor.shape, type: TensorType.INT32, data: int32Bytes(tensor.values) };
    if (tensor.role === 'constant') {
      let min = 0;
      let max = 0;
      for (const v of tensor.values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const constantGrid = activationGrid({ min, max });
      const q = Int8Array.from(tensor.values, (v) =>
        Math.max(-128, Math.min(127, Math.round(v / constantGrid.scale) + constantGrid.zeroPoint)),
      );
      return { ...base(tensor), type: TensorType.INT8, data: bytesOf(q), quantization: scalar(constantGrid) };
    }
    return { ...base(tensor), type: TensorType.INT8 }; // weights and biases: filled in below
  });
  for (const op of lowered.ops) {
    if (op.code !== BuiltinOperator.CONV_2D && op.code !== BuiltinOperator.DEPTHWISE_CONV_2D) {
      if (op.code !== BuiltinOperator.FULLY_CONNECTED) continue;
    }
    const [x, w, b] = op.inputs;
    const weights = tensors[w];
    const bias = tensors[b];
    if (weights.role !== 'weights' || bias.role !== 'bias') continue;
    const inputScale = (grids.get(x) as Int8Grid).scale;
    const perTensor = op.code === BuiltinOperator.FULLY_CONNECTED;
    const floor = biasScaleFloor(bias.values, inputScale);
    const { q, scales } = perTensor
      ? symmetricPerChannel(weights.values, [1, weights.values.length], 0, Float64Array.of(Math.max(...floor)))
      : symmetricPerChannel(weights.values, weights.shape, weights.channelAxis, floor);
    encoded[w] = {
      ...base(weights),
      type: TensorType.INT8,
      data: bytesOf(q),
      quantization: { scale: scales, zeroPoint: scales.map(() => 0), dimension: perTensor ? 0 : weights.channelAxis },
    };
    const inputMean = options.means?.get(tensors[x].name);
    const corrected = inputMean
      ? correctBias(
          bias.values,
          weights.values,
          q,
          scales,
          perTensor ? -1 : weights.channelAxis,
          weights.shape,
          inputMean,
        )
      : bias.values;
    encoded[b] = {
      ...base(bias),
      type: TensorType.INT32,
      data: int32Bytes(quantizeBias(corrected, inputScale, scales)),
      quantization: {
        scale: scales.map((s) => s * inputScale),
        zeroPoint: scales.map(() => 0),
        dimension: 0,
      },
    };
  }

  const operators: EncodedOperator[] = lowered.ops.map((op) => ({
    code: op.code,
    version: INT8_VERSIONS[op.code] ?? 1,
    inputs: op.inputs,
    outputs: op.outputs,
    options: op.options,
  }));
  // The pixels arrive as uint8 and become the int8 input (q − 128 on the same scale).
  const pixels = encoded.length;
  encoded.push({
    name: 'pixels',
    shape: tensors[lowered.input].shape,
    type: TensorType.UINT8,
    quantization: { scale: [grid.scale], zeroPoint: [grid.zeroPoint] },
  });
  operators.unshift({ code: BuiltinOperator.QUANTIZE, version: 2, inputs: [pixels], outputs: [lowered.input] });
  // Outputs are dequantised to float32, as the converter does unless told to keep integers.
  // The float32 outputs keep the names the float file gives them (the embedding's is how engines find it).
  const outputs = subgraphOutputs(lowered).map((index) => {
    const real = encoded.length;
    const name = tensors[index].name;
    encoded[index] = { ...encoded[index], name: `${name}/int8` };
    encoded.push({ name, shape: tensors[index].shape, type: TensorType.FLOAT32 });
    operators.push({ code: BuiltinOperator.DEQUANTIZE, version: 2, inputs: [index], outputs: [real] });
    return real;
  });

  const bytes = encodeTflite({
    description: `${WRITER_DESCRIPTION}: int8${options.calibration ? `, calibrated on ${options.calibration}` : ''}`,
    subgraphName: lowered.name,
    tensors: encoded,
    operators,
    inputs: [pixels],
    outputs,
  });
  return { bytes, input: { scale: grid.scale, zeroPoint: grid.zeroPoint }, inputShift };
}

/**
 * Bias correction (Nagel et al., 2019, "Data-Free Quantization"): rounding the weights shifts each
 * output channel's mean by Σ (w_q − w) · E[x]; subtracting that from the bias puts it back. E[x] is
 * the input's mean per channel over the calibration images; padding is ignored. `channelAxis` is
 * the output-channel axis of the TFLite layout (0 for conv [out, kh, kw, in] and fully-connected
 * [out, in], 3 for depthwise [1, kh, kw, channels] whose input channel is its output channel), or
 * -1 for one scale over the whole tensor with output channels on axis 0.
 */
function correctBias(
  bias: Float32Array,
  weights: Float32Array,
  q: Int8Array,
  scales: number[],
  channelAxis: number,
  shape: number[],
  inputMean: Float32Array,
): Float32Array {
  const corrected = Float64Array.from(bias);
  const channels = bias.length;
  const depthwise = channelAxis === 3;
  const inChannels = shape[shape.length - 1];
  const perOut = weights.length / channels;
  for (let i = 0; i < weights.length; i++) {
    const out = depthwise ? i % channels : Math.floor(i / perOut);
    const scale = scales[scales.length === 1 ? 0 : out];
    const input = depthwise ? out : i % inChannels;
    corrected[out] -= (q[i] * scale - weights[i]) * (inputMean[input] ?? 0);
  }
  return Float32Array.from(corrected);
}

function base(tensor: { name: string; shape: number[] }): { name: string; shape: number[] } {
  return { name: tensor.name, shape: tensor.shape };
}

function scalar(grid: Int8Grid | undefined): EncodedTensor['quantization'] {
  return grid ? { scale: [grid.scale], zeroPoint: [grid.zeroPoint] } : undefined;
}

function bytesOf(values: Int8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
