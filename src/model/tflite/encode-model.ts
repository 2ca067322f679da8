import { Builder } from 'flatbuffers';
import { TFLITE_FILE_IDENTIFIER } from './model-tables';

/*
 * Encodes a TFLite schema v3 flatbuffer with the flatbuffers Builder, in the layout the converter
 * writes (field ids from tensorflow/lite/schema/schema.fbs, the mirror of model-tables.ts): buffer 0
 * empty, one buffer per constant, constant data 16-byte aligned so kernels may read it in place.
 */

/** Writes one builtin options table and returns its offset. */
export type OptionsWriter = (b: Builder) => number;

export interface EncodedOptions {
  /** The BuiltinOptions union type (schema-enums BuiltinOptionsType). */
  type: number;
  write: OptionsWriter;
}

export interface EncodedQuantization {
  scale: number[];
  zeroPoint: number[];
  /** The axis the per-channel scales run along. */
  dimension?: number;
}

export interface EncodedTensor {
  name: string;
  shape: number[];
  /** TensorType code. */
  type: number;
  /** Little-endian bytes of a constant; absent for tensors computed at run time. */
  data?: Uint8Array;
  quantization?: EncodedQuantization;
}

export interface EncodedOperator {
  /** BuiltinOperator code. */
  code: number;
  /** The operator version the kernels are registered under (int8 kernels need 2 or more). */
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  options?: EncodedOptions;
}

export interface EncodedModel {
  description: string;
  subgraphName: string;
  tensors: EncodedTensor[];
  operators: EncodedOperator[];
  inputs: number[];
  outputs: number[];
  /** Extra named buffers (TFLITE_METADATA). */
  metadata?: Array<{ name: string; data: Uint8Array }>;
}

export function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function float32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function int64Vector(b: Builder, values: readonly number[]): number {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/**
 * A byte vector whose first byte sits on a 16-byte boundary of the finished file. Builder writes
 * back to front: padding so that the data's end plus its length lands on 16 leaves its start aligned.
 */
function alignedBytes(b: Builder, data: Uint8Array): number {
  b.prep(16, data.length);
  return b.createByteVector(data);
}

function bufferTable(b: Builder, data: Uint8Array | undefined): number {
  const vector = data ? alignedBytes(b, data) : 0;
  b.startObject(1);
  if (vector) b.addFieldOffset(0, vector, 0);
  return b.endObject();
}

function quantizationTable(b: Builder, q: EncodedQuantization): number {
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  b.addFieldOffset(2, scale, 0);
  b.addFieldOffset(3, zeroPoint, 0);
  b.addFieldInt32(6, q.dimension ?? 0, 0);
  return b.endObject();
}

/** The finished `.tflite` bytes of `model`. */
export function encodeTflite(model: EncodedModel): Uint8Array {
  const dataBytes = model.tensors.reduce((sum, t) => sum + (t.data?.length ?? 0) + 32, 0);
  const b = new Builder(dataBytes + 64 * 1024);

  // Buffer 0 is the empty buffer every schema-v3 file starts with; each constant gets its own.
  const buffers: number[] = [bufferTable(b, undefined)];
  const tensorBuffer = model.tensors.map((tensor) => {
    if (!tensor.data) return 0;
    buffers.push(bufferTable(b, tensor.data));
    return buffers.length - 1;
  });
  const metadataBuffers = (model.metadata ?? []).map((entry) => {
    buffers.push(bufferTable(b, entry.data));
    return buffers.length - 1;
  });

  const tensors = model.tensors.map((tensor, i) => {
    const name = b.createString(tensor.name);
    const shape = int32Vector(b, tensor.shape);
    const quantization = tensor.quantization ? quantizationTable(b, tensor.quantization) : 0;
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, tensor.type, 0);
    b.addFieldInt32(2, tensorBuffer[i], 0);
    b.addFieldOffset(3, name, 0);
    if (quantization) b.addFieldOffset(4, quantization, 0);
    return b.endObject();
  });

  // One operator code per (code, version) pair, in first-use order.
  const codeKeys: string[] = [];
  for (const op of model.operators) {
    const key = `${op.code}/${op.version}`;
    if (!codeKeys.includes(key)) codeKeys.push(key);
  }
  const codes = codeKeys.map((key) => {
    const [code, version] = key.split('/').map(Number);
    b.startObject(4);
    // Codes above 127 live only in the int field; the byte keeps the placeholder, as the converter writes.
    b.addFieldInt8(0, Math.min(code, 127), 0);
    b.addFieldInt32(2, version, 1);
    b.addFieldInt32(3, code, 0);
    return b.endObject();
  });

  const operators = model.operators.map((op) => {
    const inputs = int32Vector(b, op.inputs);
    const outputs = int32Vector(b, op.outputs);
    const options = op.options ? op.options.write(b) : 0;
    b.startObject(5);
    b.addFieldInt32(0, codeKeys.indexOf(`${op.code}/${op.version}`), 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    if (op.options) {
      b.addFieldInt8(3, op.options.type, 0);
      b.addFieldOffset(4, options, 0);
    }
    return b.endObject();
  });

  const tensorVector = offsetVector(b, tensors);
  const inputs = int32Vector(b, model.inputs);
  const outputs = int32Vector(b, model.outputs);
  const operatorVector = offsetVector(b, operators);
  const subgraphName = b.createString(model.subgraphName);
  b.startObject(5);
  b.addFieldOffset(0, tensorVector, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operatorVector, 0);
  b.addFieldOffset(4, subgraphName, 0);
  const subgraph = b.endObject();

  const codeVector = offsetVector(b, codes);
  const subgraphs = offsetVector(b, [subgraph]);
  const description = b.createString(model.description);
  const bufferVector = offsetVector(b, buffers);
  const metadataTables = (model.metadata ?? []).map((entry, i) => {
    const name = b.createString(entry.name);
    b.startObject(2);
    b.addFieldOffset(0, name, 0);
    b.addFieldInt32(1, metadataBuffers[i], 0);
    return b.endObject();
  });
  const metadata = metadataTables.length > 0 ? offsetVector(b, metadataTables) : 0;
  b.startObject(7);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, codeVector, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, bufferVector, 0);
  if (metadata) b.addFieldOffset(6, metadata, 0);
  b.finish(b.endObject(), TFLITE_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}
