import { globalPoolOutput } from '../global-pool';
import type { GraphOp, ModelGraph, WeightTensor } from '../graph';
import { EMBEDDING_TENSOR_NAME } from './embedding-output';
import { TfliteUnsupportedError } from './errors';
import type { EncodedOptions } from './encode-model';
import {
  concatenationOptions,
  conv2dOptions,
  depthwiseOptions,
  elementwiseOptions,
  fullyConnectedOptions,
  padOptions,
  pool2dOptions,
  reducerOptions,
  reshapeOptions,
  softmaxOptions,
  squeezeOptions,
} from './options-writers';
import { BuiltinOperator } from './schema-enums';

/*
 * The graph → TFLite lowering both writers share (float32 and int8): every tensor with its static
 * shape (batch 1) and what it is (activation, weights, bias, constant operand, integer operand),
 * weights already in TFLite's layouts, every op as a builtin operator with its options. The writers
 * only decide how each tensor is stored.
 */

export type LoweredTensor =
  | { role: 'activation'; name: string; shape: number[] }
  /** Conv/depthwise/fully-connected weights in TFLite layout; `channelAxis` is the output-channel axis. */
  | { role: 'weights'; name: string; shape: number[]; values: Float32Array; channelAxis: number }
  | { role: 'bias'; name: string; shape: number[]; values: Float32Array }
  /** A real-valued constant operand of an elementwise op. */
  | { role: 'constant'; name: string; shape: number[]; values: Float32Array }
  /** Shape, axis and padding operands. */
  | { role: 'integers'; name: string; shape: number[]; values: Int32Array };

export interface LoweredOp {
  /** The graph op it came from (its kind decides the int8 rules), or 'embedding' for the added reshape. */
  kind: GraphOp['op'] | 'embedding';
  code: number;
  inputs: number[];
  outputs: number[];
  options?: EncodedOptions;
}

export interface LoweredModel {
  name: string;
  tensors: LoweredTensor[];
  ops: LoweredOp[];
  input: number;
  /** The class scores. */
  output: number;
  /** The global average pooling's output as [1, features], when the graph has one. */
  embedding?: number;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** TF's SAME/VALID output size. */
function convOutput(size: number, kernel: number, stride: number, dilation: number, padding: 'same' | 'valid'): number {
  const effective = (kernel - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - effective) / stride) + 1;
}

function broadcast(a: number[], b: number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new TfliteUnsupportedError(`${where}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

/** A reshape target with batch 1 and at most one -1 resolved from the element count. */
function reshapeTarget(shape: number[], elements: number, where: string): number[] {
  const target = shape.map((d, i) => (i === 0 ? 1 : d));
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1) throw new TfliteUnsupportedError(`${where}: reshape to [${shape.join(', ')}] is ambiguous`);
  const known = product(target.filter((d) => d !== -1));
  return target.map((d) => (d === -1 ? elements / known : d));
}

/** conv filter [kh, kw, in, out] → [out, kh, kw, in]. */
function convFilter(filter: WeightTensor): { values: Float32Array; shape: number[] } {
  const [kh, kw, cin, out] = filter.shape;
  const perOut = kh * kw * cin;
  const values = new Float32Array(filter.values.length);
  for (let k = 0; k < perOut; k++) for (let o = 0; o < out; o++) values[o * perOut + k] = filter.values[k * out + o];
  return { values, shape: [out, kh, kw, cin] };
}

/** fully-connected weights [in, out] → [out, in]. */
function fullyConnectedWeights(weights: WeightTensor): { values: Float32Array; shape: number[] } {
  const [cin, out] = weights.shape;
  const values = new Float32Array(weights.values.length);
  for (let i = 0; i < cin; i++) for (let o = 0; o < out; o++) values[o * cin + i] = weights.values[i * out + o];
  return { values, shape: [out, cin] };
}

/** Lowers a ModelGraph; throws TfliteUnsupportedError naming the op it cannot express. */
export function lowerGraph(graph: ModelGraph): LoweredModel {
  const tensors: LoweredTensor[] = [];
  const ops: LoweredOp[] = [];
  const byName = new Map<string, number>();
  const add = (tensor: LoweredTensor): number => {
    tensors.push(tensor);
    return tensors.length - 1;
  };
  const activation = (name: string, shape: number[]): number => {
    const index = add({ role: 'activation', name, shape });
    byName.set(name, index);
    return index;
  };
  const integers = (name: string, values: number[]): number =>
    add({ role: 'integers', name, shape: [values.length], values: Int32Array.from(values) });
  const operand = (name: string, where: string): number => {
    const known = byName.get(name);
    if (known !== undefined) return known;
    const constant = graph.constants[name];
    if (!constant) throw new TfliteUnsupportedError(`${where} reads "${name}", which nothing produces`);
    const index = add({ role: 'constant', name, shape: constant.shape, values: constant.values });
    byName.set(name, index);
    return index;
  };
  const shapeOf = (index: number): number[] => tensors[index].shape;

  const input = activation(graph.input.name, [1, ...graph.input.shape]);
  graph.ops.forEach((op, i) => {
    const where = `Op ${i} (${op.op} → ${op.output})`;
    const x = operand(op.inputs[0], where);
    const xShape = shapeOf(x);
    const emit = (code: number, inputs: number[], shape: number[], options?: EncodedOptions): void => {
      ops.push({ kind: op.op, code, inputs, outputs: [activation(op.output, shape)], options });
    };
    const biasFor = (channels: number, bias: WeightTensor | undefined): number =>
      add({
        role: 'bias',
        name: `${op.output}/bias`,
        shape: [channels],
        values: bias ? Float32Array.from(bias.values) : new Float32Array(channels),
      });
    switch (op.op) {
      case 'conv2d':
      case 'depthwiseConv2d': {
        const [kh, kw, cin, last] = op.filter.shape;
        const dilations = op.dilations ?? [1, 1];
        const depthwise = op.op === 'depthwiseConv2d';
        const out = depthwise ? cin * last : last;
        // Depthwise [kh, kw, in, multiplier] is TFLite's [1, kh, kw, in * multiplier] byte for byte.
        const filter = depthwise ? { values: op.filter.values, shape: [1, kh, kw, out] } : convFilter(op.filter);
        const weights = add({
          role: 'weights',
          name: `${op.output}/filter`,
          ...filter,
          channelAxis: depthwise ? 3 : 0,
        });
        const shape = [
          1,
          convOutput(xShape[1], kh, op.strides[0], dilations[0], op.padding),
          convOutput(xShape[2], kw, op.strides[1], dilations[1], op.padding),
          out,
        ];
        const options = depthwise
          ? depthwiseOptions(op.padding, op.strides, dilations, last, op.activation)
          : conv2dOptions(op.padding, op.strides, dilations, op.activation);
        const code = depthwise ? BuiltinOperator.DEPTHWISE_CONV_2D : BuiltinOperator.CONV_2D;
        emit(code, [x, weights, biasFor(out, op.bias)], shape, options);
        return;
      }
      case 'fullyConnected': {
        const lowered = fullyConnectedWeights(op.weights);
        const [out, cin] = lowered.shape;
        if (product(xShape) !== cin)
          throw new TfliteUnsupportedError(`${where}: input [${xShape.join(', ')}] does not hold ${cin} features`);
        const weights = add({ role: 'weights', name: `${op.output}/weights`, ...lowered, channelAxis: 0 });
        emit(
          BuiltinOperator.FULLY_CONNECTED,
          [x, weights, biasFor(out, op.bias)],
          [1, out],
          fullyConnectedOptions(op.activation),
        );
        return;
      }
      case 'add':
      case 'mul': {
        const y = operand(op.inputs[1], where);
        const code = op.op === 'add' ? BuiltinOperator.ADD : BuiltinOperator.MUL;
        emit(code, [x, y], broadcast(xShape, shapeOf(y), where), elementwiseOptions(op.op, op.activation));
        return;
      }
      case 'avgPool':
      case 'maxPool': {
        const [fh, fw] = op.filterSize;
        const shape = [
          1,
          convOutput(xShape[1], fh, op.strides[0], 1, op.padding),
          convOutput(xShape[2], fw, op.strides[1], 1, op.padding),
          xShape[3],
        ];
        const code = op.op === 'avgPool' ? BuiltinOperator.AVERAGE_POOL_2D : BuiltinOperator.MAX_POOL_2D;
        emit(code, [x], shape, pool2dOptions(op.padding, op.strides, op.filterSize, op.activation));
        return;
      }
      case 'mean': {
        const axes = integers(`${op.output}/axes`, op.axes);
        const shape = op.keepDims
          ? xShape.map((d, axis) => (op.axes.includes(axis) ? 1 : d))
          : xShape.filter((_, axis) => !op.axes.includes(axis));
        emit(BuiltinOperator.MEAN, [x, axes], shape, reducerOptions(op.keepDims));
        return;
      }
      case 'reshape': {
        const shape = reshapeTarget(op.shape, product(xShape), where);
        const target = integers(`${op.output}/shape`, shape);
        emit(BuiltinOperator.RESHAPE, [x, target], shape, reshapeOptions(shape));
        return;
      }
      case 'squeeze': {
        const axes = op.axes.length > 0 ? op.axes : xShape.flatMap((d, axis) => (axis > 0 && d === 1 ? [axis] : []));
        const shape = xShape.filter((_, axis) => !axes.includes(axis));
        emit(BuiltinOperator.SQUEEZE, [x], shape, squeezeOptions(axes));
        return;
      }
      case 'softmax':
        emit(BuiltinOperator.SOFTMAX, [x], xShape, softmaxOptions(op.beta));
        return;
      case 'logistic':
        emit(BuiltinOperator.LOGISTIC, [x], xShape);
        return;
      case 'hardSwish':
        emit(BuiltinOperator.HARD_SWISH, [x], xShape);
        return;
      case 'relu':
        emit(BuiltinOperator.RELU, [x], xShape);
        return;
      case 'relu6':
        emit(BuiltinOperator.RELU6, [x], xShape);
        return;
      case 'identity':
        // No operator: readers of the output read the input tensor itself.
        byName.set(op.output, x);
        return;
      case 'pad': {
        const paddings = integers(`${op.output}/paddings`, op.paddings.flat());
        tensors[paddings].shape = [op.paddings.length, 2];
        const shape = xShape.map((d, axis) => d + (op.paddings[axis]?.[0] ?? 0) + (op.paddings[axis]?.[1] ?? 0));
        emit(BuiltinOperator.PAD, [x, paddings], shape, padOptions());
        return;
      }
      case 'concat': {
        const inputs = op.inputs.map((name) => operand(name, where));
        const shape = xShape.slice();
        shape[op.axis] = inputs.reduce((sum, index) => sum + shapeOf(index)[op.axis], 0);
        emit(BuiltinOperator.CONCATENATION, inputs, shape, concatenationOptions(op.axis, op.activation));
        return;
      }
    }
  });

  const output = byName.get(graph.output);
  if (output === undefined) throw new TfliteUnsupportedError(`The graph's output "${graph.output}" is never produced`);
  const lowered: LoweredModel = { name: graph.name, tensors, ops, input, output };

  const pooledName = globalPoolOutput(graph);
  const pooled = pooledName === undefined ? undefined : byName.get(pooledName);
  if (pooled !== undefined && pooled !== output) {
    // Flattened to [1, features] so every engine reads it the same way, whatever the pooling's rank.
    const features = product(shapeOf(pooled));
    const target = integers(`${EMBEDDING_TENSOR_NAME}/shape`, [1, features]);
    const embedding = add({ role: 'activation', name: EMBEDDING_TENSOR_NAME, shape: [1, features] });
    ops.push({
      kind: 'embedding',
      code: BuiltinOperator.RESHAPE,
      inputs: [pooled, target],
      outputs: [embedding],
      options: reshapeOptions([1, features]),
    });
    lowered.embedding = embedding;
  }
  return lowered;
}
