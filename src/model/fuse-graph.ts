import type { GraphOp, ModelGraph, WeightTensor } from './graph';

/** Inference-time batch-norm: y = x * scale + shift per channel (last axis). */
export interface BatchNormOp {
  op: 'batchNorm';
  inputs: string[];
  output: string;
  scale: Float32Array;
  shift: Float32Array;
}

/** What readers emit before fusion: graph ops plus batch-norm, which never survives fusion. */
export type RawOp = GraphOp | BatchNormOp;

type Producer = Extract<GraphOp, { op: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' }>;

function isLinearProducer(op: RawOp | undefined): op is Producer {
  return (
    !!op &&
    (op.op === 'conv2d' || op.op === 'depthwiseConv2d' || op.op === 'fullyConnected') &&
    op.activation === 'none'
  );
}

function outputChannels(op: Producer): number {
  const shape = op.op === 'fullyConnected' ? op.weights.shape : op.filter.shape;
  return op.op === 'depthwiseConv2d' ? shape[2] * shape[3] : shape[shape.length - 1];
}

/** Scales the producer's weights per output channel and adds the shift to its bias. */
function foldBatchNorm(producer: Producer, bn: BatchNormOp): void {
  const weight: WeightTensor = producer.op === 'fullyConnected' ? producer.weights : producer.filter;
  const channels = outputChannels(producer);
  const values = Float32Array.from(weight.values);
  for (let i = 0; i < values.length; i++) values[i] *= bn.scale[i % channels];
  const bias = new Float32Array(channels);
  for (let c = 0; c < channels; c++)
    bias[c] = (producer.bias ? producer.bias.values[c] : 0) * bn.scale[c] + bn.shift[c];
  const folded = { shape: weight.shape, values };
  if (producer.op === 'fullyConnected') producer.weights = folded;
  else producer.filter = folded;
  producer.bias = { shape: [channels], values: bias };
}

/**
 * Folds batch-norm into the convolution before it, fuses ReLU/ReLU6 into the op that produces
 * their input, and drops identities. Fusion only happens when the intermediate tensor has no
 * other reader, so the graph computes exactly what it did before.
 */
export function fuseGraph(skeleton: Omit<ModelGraph, 'ops'>, rawOps: RawOp[]): ModelGraph {
  const ops = rawOps.slice();
  const constants: Record<string, WeightTensor> = { ...skeleton.constants };
  const renames = new Map<string, string>();
  const resolve = (name: string): string => {
    let current = name;
    while (renames.has(current)) current = renames.get(current) as string;
    return current;
  };

  const readers = new Map<string, number>();
  for (const op of ops) for (const input of op.inputs) readers.set(input, (readers.get(input) ?? 0) + 1);
  const producers = new Map<string, RawOp>();

  const result: RawOp[] = [];
  for (const original of ops) {
    const op = { ...original, inputs: original.inputs.map(resolve) } as RawOp;
    const source = producers.get(op.inputs[0]);
    const soleReader =
      source !== undefined && (readers.get(source.output) ?? 0) <= 1 && source.output !== skeleton.output;

    // Each merge makes the readers of the merged op's output read the surviving tensor instead.
    const merge = (from: string, into: string, readersLost: number): void => {
      renames.set(from, into);
      readers.set(into, (readers.get(into) ?? 0) - readersLost + (readers.get(from) ?? 0));
    };
    if (op.op === 'identity') {
      merge(op.output, op.inputs[0], 1);
      continue;
    }
    if (op.op === 'batchNorm' && soleReader && isLinearProducer(source)) {
      foldBatchNorm(source, op);
      merge(op.output, source.output, 1);
      continue;
    }
    if (
      (op.op === 'relu' || op.op === 'relu6') &&
      soleReader &&
      source &&
      'activation' in source &&
      source.activation === 'none' &&
      source.op !== 'concat'
    ) {
      source.activation = op.op;
      merge(op.output, source.output, 1);
      continue;
    }
    if (op.op === 'batchNorm') {
      // No convolution to fold into: keep it as an explicit multiply-add.
      const scaleName = `${op.output}/bn_scale`;
      const shiftName = `${op.output}/bn_shift`;
      constants[scaleName] = { shape: [op.scale.length], values: op.scale };
      constants[shiftName] = { shape: [op.shift.length], values: op.shift };
      const scaled: GraphOp = {
        op: 'mul',
        activation: 'none',
        inputs: [op.inputs[0], scaleName],
        output: `${op.output}/scaled`,
      };
      const shifted: GraphOp = { op: 'add', activation: 'none', inputs: [scaled.output, shiftName], output: op.output };
      result.push(scaled, shifted);
      producers.set(shifted.output, shifted);
      continue;
    }
    result.push(op);
    producers.set(op.output, op);
  }
  return { ...skeleton, output: resolve(skeleton.output), constants, ops: result as GraphOp[] };
}
