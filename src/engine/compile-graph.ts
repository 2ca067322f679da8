import * as tf from '@tensorflow/tfjs-core';
import type { Activation, GraphOp, ModelGraph, QuantGrid, WeightTensor } from '../model/graph';

export interface CompileOptions {
  /** Skip the integer re-quantisation of activations: faster, slightly further from TFLite. */
  float?: boolean;
}

/** A model ready to run on the current TF.js backend. */
export interface Executable {
  /** [batch, h, w, c] real-valued input → [batch, classes] scores. Caller disposes the result. */
  run(input: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

type FusedActivation = 'linear' | 'relu' | 'relu6';

function fusedActivation(activation: Activation): FusedActivation {
  return activation === 'none' ? 'linear' : activation;
}

function applyActivation(x: tf.Tensor, activation: Activation): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'relu6') return tf.relu6(x);
  return x;
}

/**
 * Snaps real values to the integer grid and back. TFLite rounds half away from zero; tf.round
 * rounds half to even, so round |x| + 0.5 down and restore the sign.
 */
function requantize(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  const scaled = tf.div(x, grid.scale);
  const rounded = tf.mul(tf.sign(scaled), tf.floor(tf.add(tf.abs(scaled), 0.5)));
  const q = tf.clipByValue(tf.add(rounded, grid.zeroPoint), grid.qmin, grid.qmax);
  return tf.mul(tf.sub(q, grid.zeroPoint), grid.scale);
}

/**
 * Turns a ModelGraph into an Executable: weights are uploaded once, and each run walks the ops
 * inside one tf.tidy so every intermediate tensor is freed.
 */
export function compileGraph(graph: ModelGraph, options: CompileOptions = {}): Executable {
  const owned: tf.Tensor[] = [];
  const upload = (weight: WeightTensor): tf.Tensor => {
    const tensor = tf.tensor(weight.values, weight.shape, 'float32');
    owned.push(tensor);
    return tensor;
  };
  const constants = new Map<string, tf.Tensor>();
  for (const [name, weight] of Object.entries(graph.constants)) constants.set(name, upload(weight));

  const steps = graph.ops.map((op) => compileOp(op, upload));
  const quantise = !options.float;

  return {
    run(input: tf.Tensor4D): tf.Tensor2D {
      return tf.tidy(() => {
        const values = new Map<string, tf.Tensor>(constants);
        let x: tf.Tensor = input;
        if (quantise && graph.input.quant) x = requantize(x, graph.input.quant);
        values.set(graph.input.name, x);
        for (let i = 0; i < steps.length; i++) {
          const op = graph.ops[i];
          const args = op.inputs.map((name) => {
            const value = values.get(name);
            if (!value) throw new Error(`Graph "${graph.name}": op ${i} (${op.op}) reads "${name}", which nothing produced`);
            return value;
          });
          let result = steps[i](args);
          if (quantise && op.requantize) result = requantize(result, op.requantize);
          values.set(op.output, result);
        }
        const output = values.get(graph.output);
        if (!output) throw new Error(`Graph "${graph.name}": output "${graph.output}" was never produced`);
        return tf.reshape(output, [output.shape[0], -1]) as tf.Tensor2D;
      });
    },
    dispose(): void {
      for (const tensor of owned) tensor.dispose();
      owned.length = 0;
    },
  };
}

type Step = (inputs: tf.Tensor[]) => tf.Tensor;

function compileOp(op: GraphOp, upload: (w: WeightTensor) => tf.Tensor): Step {
  switch (op.op) {
    case 'conv2d': {
      const filter = upload(op.filter) as tf.Tensor4D;
      const bias = op.bias ? upload(op.bias) : undefined;
      return ([x]) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter,
          strides: op.strides,
          pad: op.padding,
          dilations: op.dilations ?? [1, 1],
          bias,
          activation: fusedActivation(op.activation),
        });
    }
    case 'depthwiseConv2d': {
      const filter = upload(op.filter) as tf.Tensor4D;
      const bias = op.bias ? upload(op.bias) : undefined;
      return ([x]) =>
        tf.fused.depthwiseConv2d({
          x: x as tf.Tensor4D,
          filter,
          strides: op.strides,
          pad: op.padding,
          dilations: op.dilations ?? [1, 1],
          bias,
          activation: fusedActivation(op.activation),
        });
    }
    case 'fullyConnected': {
      const weights = upload(op.weights) as tf.Tensor2D;
      const bias = op.bias ? upload(op.bias) : undefined;
      const inFeatures = op.weights.shape[0];
      return ([x]) =>
        tf.fused.matMul({
          a: tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D,
          b: weights,
          bias,
          activation: fusedActivation(op.activation),
        });
    }
    case 'add':
      return ([a, b]) => applyActivation(tf.add(a, b), op.activation);
    case 'mul':
      return ([a, b]) => applyActivation(tf.mul(a, b), op.activation);
    case 'avgPool':
      return ([x]) => applyActivation(tf.avgPool(x as tf.Tensor4D, op.filterSize, op.strides, op.padding), op.activation);
    case 'maxPool':
      return ([x]) => applyActivation(tf.maxPool(x as tf.Tensor4D, op.filterSize, op.strides, op.padding), op.activation);
    case 'mean':
      return ([x]) => tf.mean(x, op.axes, op.keepDims);
    case 'reshape':
      return ([x]) => tf.reshape(x, op.shape.map((d, i) => (i === 0 && d !== -1 ? x.shape[0] : d)));
    case 'squeeze':
      return ([x]) => {
        const axes = op.axes.length > 0 ? op.axes : x.shape.map((d, i) => (i > 0 && d === 1 ? i : -1)).filter((i) => i > 0);
        return tf.squeeze(x, axes);
      };
    case 'softmax':
      return ([x]) => tf.softmax(op.beta === 1 ? x : tf.mul(x, op.beta));
    case 'logistic':
      return ([x]) => tf.sigmoid(x);
    case 'hardSwish':
      return ([x]) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'relu':
      return ([x]) => tf.relu(x);
    case 'relu6':
      return ([x]) => tf.relu6(x);
    case 'identity':
      return ([x]) => x;
    case 'pad':
      return ([x]) => tf.pad(x, op.paddings);
    case 'concat':
      return (inputs) => applyActivation(tf.concat(inputs, op.axis), op.activation);
  }
}
