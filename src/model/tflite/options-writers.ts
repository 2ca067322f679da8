import type { Activation, Padding } from '../graph';
import { type EncodedOptions, int32Vector } from './encode-model';
import { ActivationFunctionType, BuiltinOptionsType, Padding as TflitePadding } from './schema-enums';

/*
 * Builtin options tables for the operators the writer emits: the mirror of options-tables.ts
 * (field ids and defaults from tensorflow/lite/schema/schema.fbs).
 */

const ACTIVATIONS: Record<Activation, number> = {
  none: ActivationFunctionType.NONE,
  relu: ActivationFunctionType.RELU,
  relu6: ActivationFunctionType.RELU6,
};

function paddingCode(padding: Padding): number {
  return padding === 'same' ? TflitePadding.SAME : TflitePadding.VALID;
}

export function conv2dOptions(
  padding: Padding,
  strides: [number, number],
  dilations: [number, number],
  activation: Activation,
): EncodedOptions {
  return {
    type: BuiltinOptionsType.Conv2DOptions,
    write: (b) => {
      b.startObject(6);
      b.addFieldInt8(0, paddingCode(padding), 0);
      b.addFieldInt32(1, strides[1], 0);
      b.addFieldInt32(2, strides[0], 0);
      b.addFieldInt8(3, ACTIVATIONS[activation], 0);
      b.addFieldInt32(4, dilations[1], 1);
      b.addFieldInt32(5, dilations[0], 1);
      return b.endObject();
    },
  };
}

export function depthwiseOptions(
  padding: Padding,
  strides: [number, number],
  dilations: [number, number],
  multiplier: number,
  activation: Activation,
): EncodedOptions {
  return {
    type: BuiltinOptionsType.DepthwiseConv2DOptions,
    write: (b) => {
      b.startObject(7);
      b.addFieldInt8(0, paddingCode(padding), 0);
      b.addFieldInt32(1, strides[1], 0);
      b.addFieldInt32(2, strides[0], 0);
      b.addFieldInt32(3, multiplier, 0);
      b.addFieldInt8(4, ACTIVATIONS[activation], 0);
      b.addFieldInt32(5, dilations[1], 1);
      b.addFieldInt32(6, dilations[0], 1);
      return b.endObject();
    },
  };
}

export function fullyConnectedOptions(activation: Activation): EncodedOptions {
  return {
    type: BuiltinOptionsType.FullyConnectedOptions,
    write: (b) => {
      b.startObject(4);
      b.addFieldInt8(0, ACTIVATIONS[activation], 0);
      return b.endObject();
    },
  };
}

export function pool2dOptions(
  padding: Padding,
  strides: [number, number],
  filter: [number, number],
  activation: Activation,
): EncodedOptions {
  return {
    type: BuiltinOptionsType.Pool2DOptions,
    write: (b) => {
      b.startObject(6);
      b.addFieldInt8(0, paddingCode(padding), 0);
      b.addFieldInt32(1, strides[1], 0);
      b.addFieldInt32(2, strides[0], 0);
      b.addFieldInt32(3, filter[1], 0);
      b.addFieldInt32(4, filter[0], 0);
      b.addFieldInt8(5, ACTIVATIONS[activation], 0);
      return b.endObject();
    },
  };
}

/** AddOptions and MulOptions: the fused activation is their first field. */
export function elementwiseOptions(kind: 'add' | 'mul', activation: Activation): EncodedOptions {
  return {
    type: kind === 'add' ? BuiltinOptionsType.AddOptions : BuiltinOptionsType.MulOptions,
    write: (b) => {
      b.startObject(1);
      b.addFieldInt8(0, ACTIVATIONS[activation], 0);
      return b.endObject();
    },
  };
}

export function reducerOptions(keepDims: boolean): EncodedOptions {
  return {
    type: BuiltinOptionsType.ReducerOptions,
    write: (b) => {
      b.startObject(1);
      b.addFieldInt8(0, keepDims ? 1 : 0, 0);
      return b.endObject();
    },
  };
}

export function reshapeOptions(shape: number[]): EncodedOptions {
  return {
    type: BuiltinOptionsType.ReshapeOptions,
    write: (b) => {
      const newShape = int32Vector(b, shape);
      b.startObject(1);
      b.addFieldOffset(0, newShape, 0);
      return b.endObject();
    },
  };
}

export function squeezeOptions(axes: number[]): EncodedOptions {
  return {
    type: BuiltinOptionsType.SqueezeOptions,
    write: (b) => {
      const dims = int32Vector(b, axes);
      b.startObject(1);
      b.addFieldOffset(0, dims, 0);
      return b.endObject();
    },
  };
}

export function softmaxOptions(beta: number): EncodedOptions {
  return {
    type: BuiltinOptionsType.SoftmaxOptions,
    write: (b) => {
      b.startObject(1);
      b.addFieldFloat32(0, beta, 0);
      return b.endObject();
    },
  };
}

export function concatenationOptions(axis: number, activation: Activation): EncodedOptions {
  return {
    type: BuiltinOptionsType.ConcatenationOptions,
    write: (b) => {
      b.startObject(2);
      b.addFieldInt32(0, axis, 0);
      b.addFieldInt8(1, ACTIVATIONS[activation], 0);
      return b.endObject();
    },
  };
}

/** PadOptions has no fields, but kernels expect the table to be there. */
export function padOptions(): EncodedOptions {
  return {
    type: BuiltinOptionsType.PadOptions,
    write: (b) => {
      b.startObject(0);
      return b.endObject();
    },
  };
}
