/**
 * The one model representation inside the package.
 *
 * Every reader (Keras/TF.js layers topology, `.tflite`, the architecture builders) produces a
 * `ModelGraph`; every engine compiles one. Readers and engines never meet, so a new file format
 * or a new backend is one file, not a matrix.
 *
 * Conventions:
 * - Activations are NHWC float32 holding *real* values (already dequantised).
 * - Batch-norm is folded into the preceding convolution by the reader; activations are fused
 *   into the op that produces them (`activation`), as TFLite and the fused TF.js kernels do.
 * - `requantize` on an op snaps its output to an integer grid (round, clamp, rescale) so a
 *   quantised model computes what the integer interpreter computes. Engines may ignore it when
 *   asked for float mode.
 */

export type Activation = 'none' | 'relu' | 'relu6';
export type Padding = 'same' | 'valid';

/** A constant tensor: weights, biases, or a constant operand of an elementwise op. */
export interface WeightTensor {
  shape: number[];
  values: Float32Array;
}

/** The affine integer grid of a quantised tensor: real = (q - zeroPoint) * scale, q in [qmin, qmax]. */
export interface QuantGrid {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

/**
 * Present on a conv / depthwise / fully-connected op whose weights were integers in the source
 * model: the scale of each output channel (one entry when per-tensor). Output channels are the
 * trailing axes of the TF.js weights: the last for conv and fully-connected, the last two
 * (in × multiplier) for depthwise. With it, an engine can recover the integer weights and accumulate integers
 * exactly, as the integer interpreter does, instead of summing rounded real products.
 */
export interface IntegerWeights {
  weightScales?: number[];
}

interface OpBase {
  /** Names of the input tensors: graph input, another op's output, or a key of `constants`. */
  inputs: string[];
  output: string;
  requantize?: QuantGrid;
}

/** What a convolution and a depthwise convolution share: bias, strides, padding, fused activation. */
interface ConvolutionBase extends OpBase, IntegerWeights {
  bias?: WeightTensor;
  strides: [number, number];
  padding: Padding;
  dilations?: [number, number];
  activation: Activation;
}

export interface Conv2DOp extends ConvolutionBase {
  op: 'conv2d';
  /** [kh, kw, inChannels, outChannels] */
  filter: WeightTensor;
}

export interface DepthwiseConv2DOp extends ConvolutionBase {
  op: 'depthwiseConv2d';
  /** [kh, kw, inChannels, depthMultiplier] */
  filter: WeightTensor;
}

export interface FullyConnectedOp extends OpBase, IntegerWeights {
  op: 'fullyConnected';
  /** [inFeatures, outFeatures]; the input is flattened to [batch, inFeatures] first. */
  weights: WeightTensor;
  bias?: WeightTensor;
  activation: Activation;
}

export interface ElementwiseOp extends OpBase {
  op: 'add' | 'mul';
  activation: Activation;
}

export interface PoolOp extends OpBase {
  op: 'avgPool' | 'maxPool';
  filterSize: [number, number];
  strides: [number, number];
  padding: Padding;
  activation: Activation;
}

export interface MeanOp extends OpBase {
  op: 'mean';
  axes: number[];
  keepDims: boolean;
}

export interface ReshapeOp extends OpBase {
  op: 'reshape';
  /** Target shape including the batch dimension; one entry may be -1. */
  shape: number[];
}

export interface SqueezeOp extends OpBase {
  op: 'squeeze';
  /** Axes to drop; empty drops every axis of size 1 except the batch axis. */
  axes: number[];
}

export interface SoftmaxOp extends OpBase {
  op: 'softmax';
  beta: number;
}

export interface UnaryOp extends OpBase {
  op: 'logistic' | 'hardSwish' | 'relu' | 'relu6' | 'identity';
}

export interface PadOp extends OpBase {
  op: 'pad';
  /** One [before, after] pair per dimension, batch first. */
  paddings: Array<[number, number]>;
}

export interface ConcatOp extends OpBase {
  op: 'concat';
  axis: number;
  activation: Activation;
}

export type GraphOp =
  | Conv2DOp
  | DepthwiseConv2DOp
  | FullyConnectedOp
  | ElementwiseOp
  | PoolOp
  | MeanOp
  | ReshapeOp
  | SqueezeOp
  | SoftmaxOp
  | UnaryOp
  | PadOp
  | ConcatOp;

export interface GraphInput {
  name: string;
  /** [height, width, channels]; the batch dimension is implicit. */
  shape: [number, number, number];
  /** Present when the original model takes integers: input values are snapped to this grid. */
  quant?: QuantGrid;
}

export interface ModelGraph {
  name: string;
  input: GraphInput;
  /** Name of the tensor holding the class scores, shape [batch, classes]. */
  output: string;
  /** In execution order: every op's inputs are produced before it. */
  ops: GraphOp[];
  constants: Record<string, WeightTensor>;
}

/** Counts every weight value the graph holds (filters, biases, constants). */
export function countGraphWeights(graph: ModelGraph): number {
  let total = 0;
  for (const op of graph.ops) {
    if ('filter' in op) total += op.filter.values.length + (op.bias?.values.length ?? 0);
    if ('weights' in op) total += op.weights.values.length + (op.bias?.values.length ?? 0);
  }
  for (const constant of Object.values(graph.constants)) total += constant.values.length;
  return total;
}
