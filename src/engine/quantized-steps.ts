import * as tf from '@tensorflow/tfjs-core';
import type { Activation, ElementwiseOp, GraphOp, MeanOp, PoolOp, QuantGrid, WeightTensor } from '../model/graph';

/** One compiled op: input tensors → output tensor, inside the caller's tf.tidy. */
export type Step = (inputs: tf.Tensor[]) => tf.Tensor;

/** A step, and whether its output is already on the op's grid (then the generic re-quantisation is skipped). */
export interface SnappedStep {
  step: Step;
  snapped: boolean;
}

/** TFLite rounds half away from zero; tf.round rounds half to even. */
function roundHalfAway(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sign(x), tf.floor(tf.add(tf.abs(x), 0.5)));
}

/** Snaps real values to the integer grid and back (round half away from zero, clamp, rescale). */
export function requantize(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  const q = tf.clipByValue(tf.add(roundHalfAway(tf.div(x, grid.scale)), grid.zeroPoint), grid.qmin, grid.qmax);
  return tf.mul(tf.sub(q, grid.zeroPoint), grid.scale);
}

/** Real values on `grid` → the integers q - zeroPoint, exactly (they are integers in float32). */
function integers(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  return tf.round(tf.div(x, grid.scale));
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
 * accumulator is the interpreter's; then the fixed-point output stage and the activation clamp.
 */
function weightedStep(op: GraphOp & { op: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' }, weightScales: number[], input: QuantGrid, output: QuantGrid, upload: (w: WeightTensor) => tf.Tensor): Step | undefined {
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
    for (let c = 0; c < values.length; c++) values[c] = Math.round(op.bias.values[c] / (input.scale * scaleOf(c % channels)));
    bias = upload({ shape: op.bias.shape, values });
  }
  // Float64: the rescale must round exactly where the interpreter rounds (see rescaleOnHost).
  const multipliers = new Float64Array(channels);
  for (let c = 0; c < channels; c++) multipliers[c] = (input.scale * scaleOf(c)) / output.scale;
  const [low, high] = activationRange(op.activation, output);
  const accumulate = accumulator(op);
  return ([x]) => rescaleOnHost(accumulate(integers(x, input), weights, bias), multipliers, low, high, output.scale);
}

/**
 * The output stage, done in float64 on the host. The accumulator is exact, but a float32
 * product acc × multiplier is off by up to 2^-24 relative, which moves values that sit near a
 * rounding tie; quantised MobileNets amplify each such one-step flip layer after layer (a
 * depthwise weight can turn it into several steps), so float32 here costs several points of
 * agreement with the interpreter. Rounds half up and clamps to the activation range.
 */
function rescaleOnHost(acc: tf.Tensor, multipliers: Float64Array, low: number, high: number, scale: number): tf.Tensor {
  const values = acc.dataSync() as Float32Array;
  const channels = multipliers.length;
  const out = new Float32Array(values.length);
  for (let base = 0; base < values.length; base += channels) {
    for (let c = 0; c < channels; c++) {
      // Math.round is half up, as TFLite's single-rounding fixed-point multiply.
      const q = Math.round(values[base + c] * multipliers[c]);
      out[base + c] = (q < low ? low : q > high ? high : q) * scale;
    }
  }
  return tf.tensor(out, acc.shape, 'float32');
}

/**
 * Quantised ADD of two same-shaped tensors: (q1 - z1)·s1 + (q2 - z2)·s2 rescaled to the output
 * grid in float64, for the same reason as rescaleOnHost.
 */
function addStep(op: ElementwiseOp, a: QuantGrid, b: QuantGrid, output: QuantGrid): Step {
  const [low, high] = activationRange(op.activation, output);
  return ([x, y]) => {
    if (!x.shape.every((d, i) => d === y.shape[i]) || x.shape.length !== y.shape.length) {
      return tf.add(x, y); // broadcasting add: the caller's re-quantisation snaps it
    }
    const xs = x.dataSync() as Float32Array;
    const ys = y.dataSync() as Float32Array;
    const out = new Float32Array(xs.length);
    const toA = 1 / a.scale;
    const toB = 1 / b.scale;
    for (let i = 0; i < xs.length; i++) {
      // Inputs are on their grids, so x / scale is within float noise of an integer.
      const v = (Math.round(xs[i] * toA) * a.scale + Math.round(ys[i] * toB) * b.scale) / output.scale;
      const q = Math.round(v);
      out[i] = (q < low ? low : q > high ? high : q) * output.scale;
    }
    return tf.tensor(out, x.shape, 'float32');
  };
}

function accumulator(op: GraphOp & { op: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' }): Accumulate {
  if (op.op === 'conv2d') {
    return (x, filter, bias) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: op.strides, pad: op.padding, dilations: op.dilations ?? [1, 1], bias });
  }
  if (op.op === 'depthwiseConv2d') {
    return (x, filter, bias) =>
      tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: op.strides, pad: op.padding, dilations: op.dilations ?? [1, 1], bias });
  }
  const inFeatures = op.weights.shape[0];
  return (x, weights, bias) => tf.fused.matMul({ a: tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D, b: weights as tf.Tensor2D, bias });
}

/**
 * Average pooling over the integers themselves, rounding half up as the interpreter's
 * (sum + count/2) / count does: a mean of 16 integers is exact in float32, so ties are real
 * ties and not float noise. Input and output share one grid in TFLite's average pool.
 */
function averageStep(op: (PoolOp & { op: 'avgPool' }) | MeanOp, input: QuantGrid, output: QuantGrid): Step | undefined {
  if (input.scale !== output.scale || input.zeroPoint !== output.zeroPoint) return undefined;
  const [low, high] = activationRange(op.op === 'avgPool' ? op.activation : 'none', output);
  const average = op.op === 'avgPool'
    ? (x: tf.Tensor) => tf.avgPool(x as tf.Tensor4D, op.filterSize, op.strides, op.padding)
    : (x: tf.Tensor) => tf.mean(x, op.axes, op.keepDims);
  return ([x]) => {
    // Shift to the stored integers q (not q - zp) so "half up" is the interpreter's direction.
    const q = tf.add(integers(x, input), input.zeroPoint);
    const rounded = tf.floor(tf.add(average(q), 0.5));
    return tf.mul(tf.clipByValue(tf.sub(rounded, output.zeroPoint), low, high), output.scale);
  };
}

/**
 * The integer-exact version of `op` when its input and output sit on grids (default mode of a
 * quantised model), else undefined and the caller uses the real-valued step plus re-quantisation.
 */
export function quantizedStep(op: GraphOp, gridOf: (name: string) => QuantGrid | undefined, upload: (w: WeightTensor) => tf.Tensor): SnappedStep | undefined {
  const output = op.requantize;
  const input = gridOf(op.inputs[0]);
  if (!input || !output) return undefined;
  let step: Step | undefined;
  const second = op.inputs.length > 1 ? gridOf(op.inputs[1]) : undefined;
  if (op.op === 'add' && second) {
    // Not marked snapped: a broadcasting add falls back to real arithmetic and needs the snap.
    return { step: addStep(op, input, second, output), snapped: false };
  }
  if ((op.op === 'conv2d' || op.op === 'depthwiseConv2d' || op.op === 'fullyConnected') && op.weightScales) {
    step = weightedStep(op, op.weightScales, input, output, upload);
  } else if (op.op === 'avgPool') {
    step = averageStep(op as PoolOp & { op: 'avgPool' }, input, output);
  } else if (op.op === 'mean') {
    step = averageStep(op, input, output);
  }
  return step ? { step, snapped: true } : undefined;
}
