import * as tf from '@tensorflow/tfjs-core';
import type { Activation, GraphOp, ModelGraph, QuantGrid, WeightTensor } from '../model/graph';
import { type Step, quantizedStep, requantize } from './quantized-steps';

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

function keepsGrid(op: GraphOp, input: QuantGrid | undefined): boolean {
  const movesOnly = op.op === 'reshape' || op.op === 'squeeze' || op.op === 'identity' || (op.op === 'maxPool' && op.activation === 'none');
  const output = op.requantize;
  return movesOnly && !!input && !!output && input.scale === output.scale && input.zeroPoint === output.zeroPoint && input.qmin === output.qmin && input.qmax === output.qmax;
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

  const quantise = !options.float;
  // The integer grid each tensor is snapped to, so ops with integer weights know their input's scale.
  const grids = new Map<string, QuantGrid>();
  if (quantise) {
    if (graph.input.quant) grids.set(graph.input.name, graph.input.quant);
    for (const op of graph.ops) if (op.requantize) grids.set(op.output, op.requantize);
  }
  // Quantised ops whose input grid is known run integer-exact and come out already snapped;
  // ops that only move values keep their input's grid, where snapping again would change nothing.
  const steps = graph.ops.map(
    (op) => quantizedStep(op, (name) => grids.get(name), upload) ?? { step: compileOp(op, upload), snapped: keepsGrid(op, grids.get(op.inputs[0])) },
  );

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
          let result = steps[i].step(args);
          if (quantise && op.requantize && !steps[i].snapped) result = requantize(result, op.requantize);
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

function compileOp(op: GraphOp, upload: (w: WeightTensor) => tf.Tensor): Step {
  switch (op.op) {
    case 'conv2d':
    case 'depthwiseConv2d': {
      const filter = upload(op.filter) as tf.Tensor4D;
      const bias = op.bias ? upload(op.bias) : undefined;
      const kernel = op.op === 'conv2d' ? tf.fused.conv2d : tf.fused.depthwiseConv2d;
      const settings = { filter, strides: op.strides, pad: op.padding, dilations: op.dilations ?? [1, 1], bias, activation: fusedActivation(op.activation) };
      return ([x]) => kernel({ x: x as tf.Tensor4D, ...settings });
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
