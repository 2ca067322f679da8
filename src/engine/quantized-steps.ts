import * as tf from '@tensorflow/tfjs-core';
import type { Activation, ElementwiseOp, GraphOp, MeanOp, PoolOp, QuantGrid, WeightTensor } from '../model/graph';

/** One compiled op: input tensors → output tensor, inside the caller's tf.tidy. */
export type Step = (inputs: tf.Tensor[]) => tf.Tensor;

/** Real values on `grid` → the integers q - zeroPoint, exactly (they are integers in float32). */
export function toIntegers(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  return tf.round(tf.div(x, grid.scale));
}

/**
 * Real values → the integers q - zeroPoint of the nearest grid point (ties to even, as the
 * interpreter's float-to-integer conversion), clamped to the grid.
 */
export function quantizeToIntegers(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  return tf.clipByValue(tf.round(tf.div(x, grid.scale)), grid.qmin - grid.zeroPoint, grid.qmax - grid.zeroPoint);
}

/** The integers q - zeroPoint → real values. */
export function toReals(q: tf.Tensor, grid: QuantGrid): tf.Tensor {
  return tf.mul(q, grid.scale);
}

/**
 * The output stage: accumulator × float32 multiplier, rounded half to even, clamped. This is the
 * "fp32" requantisation of the interpreter's quantised kernels (XNNPACK: float32 scale, magic-bias
 * rounding to nearest even), so float32 on the device is not an approximation of it but the
 * same arithmetic; with it both fixture models give the reference outputs to within 1 of 256.
 * A float64, round-half-up host rescale was up to 6 away and 3-5× slower.
 */
function rescale(acc: tf.Tensor, multiplier: tf.Tensor, low: number, high: number): tf.Tensor {
  return tf.clipByValue(tf.round(tf.mul(acc, multiplier)), low, high);
}

/** One multiplier per output channel, or one scalar when they are all equal (a cheaper broadcast). */
function channelMultipliers(values: Float32Array, upload: (w: WeightTensor) => tf.Tensor): tf.Tensor {
  const shared = values.every((v) => v === values[0]);
  return shared ? upload({ shape: [], values: values.subarray(0, 1) }) : upload({ shape: [values.length], values });
}

/** The clamp TFLite applies in the integer domain for a fused activation, relative to the zero point. */
function activationRange(activation: Activation, grid: QuantGrid): [number, number] {
  let low = grid.qmin;
  let high = grid.qmax;
  if (activation === 'relu' || activation === 'relu6') low = Math.max(low, grid.zeroPoint);
  if (activation === 'relu6') high = Math.min(high, grid.zeroPoint + Math.round(6 / grid.scale));
  return [low - grid.zeroPoint, high - grid.zeroPoint];
}

type Accumulate = (x: tf.Tensor, weights: tf.Tensor, bias: tf.Tensor | undefined) => tf.Tensor;

/** Output channels are the trailing axes: the last for conv and matmul, in × multiplier for depthwise. */
function outputChannels(op: GraphOp & { op: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' }): number {
  if (op.op === 'fullyConnected') return op.weights.shape[1];
  const [, , inChannels, last] = op.filter.shape;
  return op.op === 'depthwiseConv2d' ? inChannels * last : last;
}

/**
 * Integer accumulation as the interpreter does it: integer input (q - zp) times integer weights
 * plus the int32 bias. Products below 2^16 and sums below 2^24 are exact in float32, so the
 * accumulator is the interpreter's; then the output stage (rescale) and the activation clamp.
 */
function weightedStep(
  op: GraphOp & { op: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' },
  weightScales: number[],
  input: QuantGrid,
  output: QuantGrid,
  upload: (w: WeightTensor) => tf.Tensor,
): Step | undefined {
  const real = op.op === 'fullyConnected' ? op.weights : op.filter;
  const channels = outputChannels(op);
  if (weightScales.length !== 1 && weightScales.length !== channels) return undefined;
  if (weightScales.some((s) => !(s > 0))) return undefined;
  const scaleOf = (c: number) => (weightScales.length === 1 ? weightScales[0] : weightScales[c]);
  const intWeights = new Float32Array(real.values.length);
  for (let i = 0; i < intWeights.length; i++) intWeights[i] = Math.round(real.values[i] / scaleOf(i % channels));
  const weights = upload({ shape: real.shape, values: intWeights });
  let bias: tf.Tensor | undefined;
  if (op.bias) {
    const values = new Float32Array(op.bias.values.length);
    for (let c = 0; c < values.length; c++)
      values[c] = Math.round(op.bias.values[c] / (input.scale * scaleOf(c % channels)));
    bias = upload({ shape: op.bias.shape, values });
  }
  // Float32 arithmetic, as the interpreter computes its requantisation scale.
  const multipliers = new Float32Array(channels);
  for (let c = 0; c < channels; c++) multipliers[c] = Math.fround(Math.fround(input.scale * scaleOf(c)) / output.scale);
  const multiplier = channelMultipliers(multipliers, upload);
  const [low, high] = activationRange(op.activation, output);
  const accumulate = accumulator(op);
  return ([x]) => rescale(accumulate(x, weights, bias), multiplier, low, high);
}

/**
 * Quantised ADD (broadcasting too): (q1 - z1)·s1/so + (q2 - z2)·s2/so in float32, then the
 * same rounding and clamp as the other output stages.
 */
function addStep(op: ElementwiseOp, a: QuantGrid, b: QuantGrid, output: QuantGrid): Step {
  const [low, high] = activationRange(op.activation, output);
  const toOutputA = Math.fround(a.scale / output.scale);
  const toOutputB = Math.fround(b.scale / output.scale);
  return ([x, y]) => tf.clipByValue(tf.round(tf.add(tf.mul(x, toOutputA), tf.mul(y, toOutputB))), low, high);
}

function accumulator(op: GraphOp & { op: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' }): Accumulate {
  if (op.op === 'conv2d') {
    return (x, filter, bias) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: filter as tf.Tensor4D,
        strides: op.strides,
        pad: op.padding,
        dilations: op.dilations ?? [1, 1],
        bias,
      });
  }
  if (op.op === 'depthwiseConv2d') {
    return (x, filter, bias) =>
      tf.fused.depthwiseConv2d({
        x: x as tf.Tensor4D,
        filter: filter as tf.Tensor4D,
        strides: op.strides,
        pad: op.padding,
        dilations: op.dilations ?? [1, 1],
        bias,
      });
  }
  const inFeatures = op.weights.shape[0];
  return (x, weights, bias) =>
    tf.fused.matMul({ a: tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D, b: weights as tf.Tensor2D, bias });
}

/**
 * Average pooling over the integers themselves, rounding half up as the interpreter's
 * (sum + count/2) / count does: a mean of 16 integers is exact in float32, so ties are real
 * ties and not float noise. Input and output share one grid in TFLite's average pool.
 */
function averageStep(op: (PoolOp & { op: 'avgPool' }) | MeanOp, input: QuantGrid, output: QuantGrid): Step | undefined {
  if (input.scale !== output.scale || input.zeroPoint !== output.zeroPoint) return undefined;
  const [low, high] = activationRange(op.op === 'avgPool' ? op.activation : 'none', output);
  const average =
    op.op === 'avgPool'
      ? (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, op.filterSize, op.strides, op.padding)
      : (x: tf.Tensor) => tf.mean(x, op.axes, op.keepDims);
  return ([x]) => {
    // Shift to the stored integers q (not q - zp) so "half up" is the interpreter's direction.
    const q = tf.add(x, input.zeroPoint);
    const rounded = tf.floor(tf.add(average(q), 0.5));
    return tf.clipByValue(tf.sub(rounded, output.zeroPoint), low, high);
  };
}

/**
 * The integer version of `op` when its inputs and output sit on grids (default mode of a
 * quantised model): it takes the integers q - zeroPoint of each input and gives those of its
 * output, all on the device. Undefined when there is none; the caller then runs the real-valued
 * step and re-quantises.
 */
export function quantizedStep(
  op: GraphOp,
  gridOf: (name: string) => QuantGrid | undefined,
  upload: (w: WeightTensor) => tf.Tensor,
): Step | undefined {
  const output = op.requantize;
  const input = gridOf(op.inputs[0]);
  if (!input || !output) return undefined;
  const second = op.inputs.length > 1 ? gridOf(op.inputs[1]) : undefined;
  if (op.op === 'add' && second && op.inputs.length === 2) return addStep(op, input, second, output);
  if ((op.op === 'conv2d' || op.op === 'depthwiseConv2d' || op.op === 'fullyConnected') && op.weightScales) {
    return weightedStep(op, op.weightScales, input, output, upload);
  }
  if (op.op === 'avgPool') return averageStep(op as PoolOp & { op: 'avgPool' }, input, output);
  if (op.op === 'mean') return averageStep(op, input, output);
  return undefined;
}
