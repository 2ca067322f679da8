import * as tf from '@tensorflow/tfjs-core';
import { globalPoolOutput } from '../model/global-pool';
import type { Activation, GraphOp, ModelGraph, QuantGrid, WeightTensor } from '../model/graph';
import { type Step, quantizeToIntegers, quantizedStep, toIntegers, toReals } from './quantized-steps';

export interface CompileOptions {
  /** Skip the integer re-quantisation of activations: faster, slightly further from TFLite. */
  float?: boolean;
  /**
   * Called with every op's output (real values) during each run, inside the run's tf.tidy: a
   * calibration pass reads activation ranges with it. The tensor is freed when the run ends.
   */
  observe?: (name: string, values: tf.Tensor) => void;
}

/** What one pass of a model gives: the class scores and, when the model has one, its pooled features. */
export interface ExecutableOutputs {
  /** [batch, classes] */
  scores: tf.Tensor2D;
  /** [batch, features]: the global average pooling's output (real values), not normalised. */
  embedding?: tf.Tensor2D;
}

/** A model ready to run on the current TF.js backend. */
export interface Executable {
  /** [batch, h, w, c] real-valued input → [batch, classes] scores. Caller disposes the result. */
  run(input: tf.Tensor4D): tf.Tensor2D;
  /**
   * The scores and the global average pooling's output from the same single pass (the pooled
   * tensor is computed on the way to the scores anyway). Caller disposes both.
   */
  runWithEmbedding?(input: tf.Tensor4D): ExecutableOutputs;
  dispose(): void;
}

/** Flattens a [batch, 1, 1, c] (or already [batch, c]) pooled tensor; averages any spatial extent left. */
export function poolToEmbedding(pooled: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const spatial =
      pooled.rank === 4 && (pooled.shape[1] !== 1 || pooled.shape[2] !== 1) ? tf.mean(pooled, [1, 2]) : pooled;
    return tf.reshape(spatial, [spatial.shape[0], -1]) as tf.Tensor2D;
  });
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

/** Ops that only move or select values: on integers q - zp they give the integers of the same grid. */
function movesOnly(op: GraphOp): boolean {
  return (
    op.op === 'reshape' ||
    op.op === 'squeeze' ||
    op.op === 'identity' ||
    (op.op === 'maxPool' && op.activation === 'none')
  );
}

function sameGrid(a: QuantGrid | undefined, b: QuantGrid | undefined): boolean {
  return !!a && !!b && a.scale === b.scale && a.zeroPoint === b.zeroPoint && a.qmin === b.qmin && a.qmax === b.qmax;
}

/** A tensor during a run: real values, or the integers q - zeroPoint of `grid`. */
interface Value {
  tensor: tf.Tensor;
  grid?: QuantGrid;
}

/** How one op runs: on integers of its input grids (giving its output grid's), or on real values. */
interface CompiledStep {
  step: Step;
  integer: boolean;
}

/**
 * Turns a ModelGraph into an Executable: weights are uploaded once, and each run walks the ops
 * inside one tf.tidy so every intermediate tensor is freed. In default mode a quantised model's
 * tensors stay integers (q - zeroPoint, in float32) from op to op on the device; they become real
 * values only where an op has no integer step (softmax, say) and at the output.
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

  const quantize = !options.float;
  // The integer grid each tensor is snapped to, so ops with integer weights know their input's scale.
  const grids = new Map<string, QuantGrid>();
  if (quantize) {
    if (graph.input.quant) grids.set(graph.input.name, graph.input.quant);
    for (const op of graph.ops) if (op.requantize) grids.set(op.output, op.requantize);
  }
  const steps: CompiledStep[] = graph.ops.map((op) => {
    const integerStep = quantizedStep(op, (name) => grids.get(name), upload);
    if (integerStep) return { step: integerStep, integer: true };
    return { step: compileOp(op, upload), integer: movesOnly(op) && sameGrid(grids.get(op.inputs[0]), op.requantize) };
  });

  const embeddingName = globalPoolOutput(graph);
  /** Walks the ops once; returns the output and, if asked, the pooled tensor on the way. */
  const forward = (input: tf.Tensor4D, wantEmbedding: boolean): ExecutableOutputs =>
    tf.tidy(() => {
      const values = new Map<string, Value>();
      for (const [name, tensor] of constants) values.set(name, { tensor });
      const inputGrid = quantize ? graph.input.quant : undefined;
      values.set(
        graph.input.name,
        inputGrid ? { tensor: quantizeToIntegers(input, inputGrid), grid: inputGrid } : { tensor: input },
      );
      for (let i = 0; i < steps.length; i++) {
        const op = graph.ops[i];
        const { step, integer } = steps[i];
        const args = op.inputs.map((name) => {
          const value = values.get(name);
          if (!value)
            throw new Error(`Graph "${graph.name}": op ${i} (${op.op}) reads "${name}", which nothing produced`);
          if (!integer) return value.grid ? toReals(value.tensor, value.grid) : value.tensor;
          const grid = grids.get(name);
          // A constant operand on a grid arrives as real values; produced tensors are already integers.
          return value.grid || !grid ? value.tensor : toIntegers(value.tensor, grid);
        });
        const result = step(args);
        if (integer) values.set(op.output, { tensor: result, grid: op.requantize });
        else if (quantize && op.requantize)
          values.set(op.output, { tensor: quantizeToIntegers(result, op.requantize), grid: op.requantize });
        else values.set(op.output, { tensor: result });
        if (options.observe) {
          const value = values.get(op.output) as Value;
          options.observe(op.output, value.grid ? toReals(value.tensor, value.grid) : value.tensor);
        }
      }
      const real = (name: string): tf.Tensor => {
        const value = values.get(name);
        if (!value) throw new Error(`Graph "${graph.name}": tensor "${name}" was never produced`);
        // A quantised tensor is dequantised with its own scale and zero point: what the file stores.
        return value.grid ? toReals(value.tensor, value.grid) : value.tensor;
      };
      const output = real(graph.output);
      const scores = tf.reshape(output, [output.shape[0], -1]) as tf.Tensor2D;
      if (!wantEmbedding || !embeddingName) return { scores };
      return { scores, embedding: poolToEmbedding(real(embeddingName)) };
    });

  return {
    run: (input) => forward(input, false).scores,
    ...(embeddingName ? { runWithEmbedding: (input: tf.Tensor4D) => forward(input, true) } : {}),
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
      const settings = {
        filter,
        strides: op.strides,
        pad: op.padding,
        dilations: op.dilations ?? [1, 1],
        bias,
        activation: fusedActivation(op.activation),
      };
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
      return ([x]) =>
        applyActivation(tf.avgPool(x as tf.Tensor4D, op.filterSize, op.strides, op.padding), op.activation);
    case 'maxPool':
      return ([x]) =>
        applyActivation(tf.maxPool(x as tf.Tensor4D, op.filterSize, op.strides, op.padding), op.activation);
    case 'mean':
      return ([x]) => tf.mean(x, op.axes, op.keepDims);
    case 'reshape':
      return ([x]) =>
        tf.reshape(
          x,
          op.shape.map((d, i) => (i === 0 && d !== -1 ? x.shape[0] : d)),
        );
    case 'squeeze':
      return ([x]) => {
        const axes =
          op.axes.length > 0 ? op.axes : x.shape.map((d, i) => (i > 0 && d === 1 ? i : -1)).filter((i) => i > 0);
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
