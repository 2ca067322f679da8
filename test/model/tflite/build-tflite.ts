import { Builder } from 'flatbuffers';

/**
 * Builds small TFLite flatbuffers (schema v3) for tests, with the flatbuffers Builder: the same
 * encoding the converter writes, field ids from tensorflow/lite/schema/schema.fbs.
 *
 * It deliberately does not call src/model/tflite/encode-model.ts, although both hold the same few vector helpers:
 * the reader's tests must not pass because the writer and the reader share a mistake. The writer is checked the
 * other way round, by LiteRT.js (the TFLite interpreter) running what it writes.
 */

export interface TensorSpec {
  shape: number[];
  /** TensorType code (FLOAT32 0, INT32 2, UINT8 3, INT8 9). */
  type: number;
  data?: Uint8Array;
  quant?: { scale: number[]; zeroPoint: number[]; dimension?: number };
  name?: string;
}

export interface OperatorSpec {
  /** BuiltinOperator code. */
  code: number;
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions union type and a function that writes the options table. */
  options?: { type: number; write: (b: Builder) => number };
}

export interface ModelSpec {
  tensors: TensorSpec[];
  operators: OperatorSpec[];
  inputs: number[];
  outputs: number[];
  description?: string;
  /** A TFLite metadata flatbuffer ("M001"), stored in a buffer named TFLITE_METADATA. */
  metadata?: Uint8Array;
}

function intVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function longVector(b: Builder, values: number[]): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

export function buildTflite(spec: ModelSpec): Uint8Array {
  const b = new Builder(1024);

  // Buffer 0 is the empty buffer every schema-v3 file starts with; each constant gets its own.
  const bufferTables: number[] = [];
  b.startObject(1);
  bufferTables.push(b.endObject());
  const tensorBuffer: number[] = [];
  for (const tensor of spec.tensors) {
    if (!tensor.data) {
      tensorBuffer.push(0);
      continue;
    }
    const data = b.createByteVector(tensor.data);
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    tensorBuffer.push(bufferTables.length);
    bufferTables.push(b.endObject());
  }

  let metadataBuffer = 0;
  if (spec.metadata) {
    const data = b.createByteVector(spec.metadata);
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    metadataBuffer = bufferTables.length;
    bufferTables.push(b.endObject());
  }

  const tensorTables = spec.tensors.map((tensor, i) => {
    const name = b.createString(tensor.name ?? `tensor${i}`);
    const shape = intVector(b, tensor.shape);
    let quant = 0;
    if (tensor.quant) {
      const scale = floatVector(b, tensor.quant.scale);
      const zeroPoint = longVector(b, tensor.quant.zeroPoint);
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zeroPoint, 0);
      b.addFieldInt32(6, tensor.quant.dimension ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, tensor.type, 0);
    b.addFieldInt32(2, tensorBuffer[i], 0);
    b.addFieldOffset(3, name, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });

  const codes = [...new Set(spec.operators.map((op) => op.code))];
  const codeTables = codes.map((code) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code, 127), 0);
    b.addFieldInt32(2, 1, 1);
    b.addFieldInt32(3, code, 0);
    return b.endObject();
  });

  const operatorTables = spec.operators.map((op) => {
    const inputs = intVector(b, op.inputs);
    const outputs = intVector(b, op.outputs);
    const options = op.options ? op.options.write(b) : 0;
    b.startObject(5);
    b.addFieldInt32(0, codes.indexOf(op.code), 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (op.options) {
      b.addFieldInt8(3, op.options.type, 0);
      b.addFieldOffset(4, options, 0);
    }
    return b.endObject();
  });

  const tensors = offsetVector(b, tensorTables);
  const inputs = intVector(b, spec.inputs);
  const outputs = intVector(b, spec.outputs);
  const operators = offsetVector(b, operatorTables);
  const subgraphName = b.createString('main');
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const operatorCodes = offsetVector(b, codeTables);
  const subgraphs = offsetVector(b, [subgraph]);
  const description = b.createString(spec.description ?? 'built in a test');
  const buffers = offsetVector(b, bufferTables);
  let metadata = 0;
  if (spec.metadata) {
    const name = b.createString('TFLITE_METADATA');
    b.startObject(2);
    b.addFieldOffset(0, name, 0);
    b.addFieldInt32(1, metadataBuffer, 0);
    metadata = offsetVector(b, [b.endObject()]);
  }
  b.startObject(7);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, operatorCodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  if (metadata) b.addFieldOffset(6, metadata, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}

/** Little-endian bytes of int8 values. */
export function int8Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Int8Array.from(values).buffer);
}

/** Little-endian bytes of int32 values. */
export function int32Bytes(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    view.setInt32(4 * i, v, true);
  });
  return bytes;
}

/** Writes a Conv2DOptions table: padding (0 SAME, 1 VALID), strides, fused activation. */
export function conv2dOptions(
  padding: number,
  stride: number,
  activation: number,
): { type: number; write: (b: Builder) => number } {
  return {
    type: 1,
    write: (b) => {
      b.startObject(6);
      b.addFieldInt8(0, padding, 0);
      b.addFieldInt32(1, stride, 0);
      b.addFieldInt32(2, stride, 0);
      b.addFieldInt8(3, activation, 0);
      return b.endObject();
    },
  };
}

/** Writes a ReshapeOptions table with new_shape. */
export function reshapeOptions(shape: number[]): { type: number; write: (b: Builder) => number } {
  return {
    type: 17,
    write: (b) => {
      const newShape = intVector(b, shape);
      b.startObject(1);
      b.addFieldOffset(0, newShape, 0);
      return b.endObject();
    },
  };
}

/** Writes a DepthwiseConv2DOptions table: padding, strides, depth multiplier, fused activation. */
export function depthwiseOptions(
  padding: number,
  stride: number,
  multiplier: number,
  activation: number,
): { type: number; write: (b: Builder) => number } {
  return {
    type: 2,
    write: (b) => {
      b.startObject(7);
      b.addFieldInt8(0, padding, 0);
      b.addFieldInt32(1, stride, 0);
      b.addFieldInt32(2, stride, 0);
      b.addFieldInt32(3, multiplier, 0);
      b.addFieldInt8(4, activation, 0);
      return b.endObject();
    },
  };
}

/**
 * A TFLite metadata flatbuffer (tensorflow_lite_support metadata_schema.fbs): the model
 * description, the input's NormalizationOptions and the output's label file.
 */
export function buildMetadata(spec: {
  description: string;
  mean: number[];
  std: number[];
  labelFile: string;
}): Uint8Array {
  const b = new Builder(256);
  const mean = floatVector(b, spec.mean);
  const std = floatVector(b, spec.std);
  b.startObject(2);
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const normalization = b.endObject();
  b.startObject(2);
  b.addFieldInt8(0, 1, 0); // ProcessUnitOptions.NormalizationOptions
  b.addFieldOffset(1, normalization, 0);
  const processUnits = offsetVector(b, [b.endObject()]);
  b.startObject(7);
  b.addFieldOffset(4, processUnits, 0);
  const inputMetadata = offsetVector(b, [b.endObject()]);

  const fileName = b.createString(spec.labelFile);
  b.startObject(4);
  b.addFieldOffset(0, fileName, 0);
  b.addFieldInt8(2, 2, 0); // AssociatedFileType.TENSOR_AXIS_LABELS
  const files = offsetVector(b, [b.endObject()]);
  b.startObject(7);
  b.addFieldOffset(6, files, 0);
  const outputMetadata = offsetVector(b, [b.endObject()]);

  b.startObject(4);
  b.addFieldOffset(2, inputMetadata, 0);
  b.addFieldOffset(3, outputMetadata, 0);
  const subgraphs = offsetVector(b, [b.endObject()]);
  const name = b.createString('test classifier');
  const description = b.createString(spec.description);
  b.startObject(8);
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldOffset(3, subgraphs, 0);
  b.finish(b.endObject(), 'M001');
  return b.asUint8Array().slice();
}

/** Writes a Pool2DOptions table: padding (0 SAME, 1 VALID), strides, filter size, fused activation. */
export function pool2dOptions(
  padding: number,
  stride: number,
  filter: number,
  activation: number,
): { type: number; write: (b: Builder) => number } {
  return {
    type: 5,
    write: (b) => {
      b.startObject(6);
      b.addFieldInt8(0, padding, 0);
      b.addFieldInt32(1, stride, 0);
      b.addFieldInt32(2, stride, 0);
      b.addFieldInt32(3, filter, 0);
      b.addFieldInt32(4, filter, 0);
      b.addFieldInt8(5, activation, 0);
      return b.endObject();
    },
  };
}
