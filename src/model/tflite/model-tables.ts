import { ByteBuffer } from 'flatbuffers';
import { CheckedTable, checkRange } from './checked-table';
import { TfliteFormatError } from './errors';

/*
 * Accessors for the TFLite schema v3 tables the importer reads, in the shape flatc generates
 * (field ids from tensorflow/lite/schema/schema.fbs; a union takes two ids, type then value).
 */

export const TFLITE_FILE_IDENTIFIER = 'TFL3';

/** Per-tensor or per-channel affine grid: real = (q - zeroPoint[c]) * scale[c] along quantizedDimension. */
export class QuantizationParameters extends CheckedTable {
  min(): number[] {
    return this.float32s(0);
  }
  max(): number[] {
    return this.float32s(1);
  }
  scale(): number[] {
    return this.float32s(2);
  }
  zeroPoint(): number[] {
    return this.int64s(3);
  }
  /** Union type of `details` (custom quantisation); non-zero means scale/zero_point do not apply. */
  detailsType(): number {
    return this.uint8(4, 0);
  }
  quantizedDimension(): number {
    return this.int32(6, 0);
  }
}

export class Tensor extends CheckedTable {
  readonly index: number;
  constructor(bb: ByteBuffer, position: number, index: number) {
    super(bb, position, `Tensor ${index}`);
    this.index = index;
  }
  shape(): number[] {
    return this.int32s(0);
  }
  type(): number {
    return this.int8(1, 0);
  }
  buffer(): number {
    return this.uint32(2, 0);
  }
  name(): string {
    return this.string(3) ?? `tensor ${this.index}`;
  }
  quantization(): QuantizationParameters | undefined {
    return this.table(4, (bb, at) => new QuantizationParameters(bb, at, `${this.what} quantization`));
  }
  isVariable(): boolean {
    return this.bool(5, false);
  }
}

export class Buffer extends CheckedTable {
  readonly index: number;
  constructor(bb: ByteBuffer, position: number, index: number) {
    super(bb, position, `Buffer ${index}`);
    this.index = index;
  }
  /**
   * The buffer's bytes (a view into the file), or undefined when it is empty. Models over 2 GB
   * keep data outside the flatbuffer, addressed by `offset`/`size` from the file start.
   */
  data(): Uint8Array | undefined {
    const inline = this.bytes(0);
    if (inline && inline.length > 0) return inline;
    const offset = this.uint64(1, 0n);
    const size = this.uint64(2, 0n);
    if (offset <= 1n) return undefined;
    checkRange(this.bb, Number(offset), Number(size), `${this.what} external data`);
    return this.bb.bytes().subarray(Number(offset), Number(offset + size));
  }
}

export class OperatorCode extends CheckedTable {
  deprecatedBuiltinCode(): number {
    return this.int8(0, 0);
  }
  customCode(): string | undefined {
    return this.string(1);
  }
  version(): number {
    return this.int32(2, 1);
  }
  builtinCodeField(): number {
    return this.int32(3, 0);
  }
  /**
   * The operator's code. Old files only fill the deprecated byte, new files fill both, and codes
   * above 127 exist only in the int field; TFLite itself takes the larger of the two.
   */
  builtinCode(): number {
    return Math.max(this.deprecatedBuiltinCode(), this.builtinCodeField());
  }
}

/** A table position handed to the options accessors in options-tables.ts. */
export interface TableRef {
  bb: ByteBuffer;
  position: number;
}

export class Operator extends CheckedTable {
  readonly index: number;
  constructor(bb: ByteBuffer, position: number, index: number) {
    super(bb, position, `Operator ${index}`);
    this.index = index;
  }
  opcodeIndex(): number {
    return this.uint32(0, 0);
  }
  /** Tensor indices; -1 marks an omitted optional input (a conv without bias). */
  inputs(): number[] {
    return this.int32s(1);
  }
  outputs(): number[] {
    return this.int32s(2);
  }
  builtinOptionsType(): number {
    return this.uint8(3, 0);
  }
  builtinOptions(): TableRef | undefined {
    return this.table(4, (bb, position) => ({ bb, position }));
  }
}

export class SubGraph extends CheckedTable {
  tensors(): Tensor[] {
    return this.tables(0, (bb, at, i) => new Tensor(bb, at, i));
  }
  inputs(): number[] {
    return this.int32s(1);
  }
  outputs(): number[] {
    return this.int32s(2);
  }
  operators(): Operator[] {
    return this.tables(3, (bb, at, i) => new Operator(bb, at, i));
  }
  name(): string | undefined {
    return this.string(4);
  }
}

export class Metadata extends CheckedTable {
  name(): string | undefined {
    return this.string(0);
  }
  buffer(): number {
    return this.uint32(1, 0);
  }
}

export class Model extends CheckedTable {
  version(): number {
    return this.uint32(0, 0);
  }
  operatorCodes(): OperatorCode[] {
    return this.tables(1, (bb, at, i) => new OperatorCode(bb, at, `OperatorCode ${i}`));
  }
  subgraphs(): SubGraph[] {
    return this.tables(2, (bb, at, i) => new SubGraph(bb, at, `SubGraph ${i}`));
  }
  description(): string | undefined {
    return this.string(3);
  }
  buffers(): Buffer[] {
    return this.tables(4, (bb, at, i) => new Buffer(bb, at, i));
  }
  metadata(): Metadata[] {
    return this.tables(6, (bb, at, i) => new Metadata(bb, at, `Metadata ${i}`));
  }

  /** Reads the root table after checking the size and the "TFL3" file identifier. */
  static fromBytes(bytes: Uint8Array): Model {
    if (bytes.length < 8) {
      throw new TfliteFormatError(`Not a TFLite model: ${bytes.length} bytes is too short to hold a flatbuffer header`);
    }
    const bb = new ByteBuffer(bytes);
    if (!bb.__has_identifier(TFLITE_FILE_IDENTIFIER)) {
      const found = printable(bytes.subarray(4, 8));
      throw new TfliteFormatError(
        `Not a TFLite model: expected file identifier "${TFLITE_FILE_IDENTIFIER}" at bytes 4..8, found "${found}"`,
      );
    }
    const model = new Model(bb, bb.readUint32(0), 'Model');
    if (model.version() !== 3) {
      throw new TfliteFormatError(`Unsupported TFLite schema version ${model.version()}: only version 3 is read`);
    }
    return model;
  }
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) =>
    b >= 32 && b < 127 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`,
  ).join('');
}
