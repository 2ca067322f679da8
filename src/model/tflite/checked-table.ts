import type { ByteBuffer } from 'flatbuffers';
import { TfliteFormatError } from './errors';

/** Throws unless [offset, offset + size) lies inside the buffer. */
export function checkRange(bb: ByteBuffer, offset: number, size: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || size < 0 || offset + size > bb.capacity()) {
    throw new TfliteFormatError(
      `TFLite file is truncated or corrupt: ${what} lies at bytes ${offset}..${offset + size}, past the end of the ` +
        `${bb.capacity()}-byte file`,
    );
  }
}

/**
 * Base of the accessor classes, in the shape flatc generates (a ByteBuffer plus the table's
 * position, fields found through the vtable with `__offset`, `__indirect`, `__vector`).
 * The flatbuffers runtime trusts its input: reading past the end yields zeros rather than an
 * error, so every offset is checked here before it is followed, and a truncated file fails with
 * a message instead of decoding garbage.
 */
export abstract class CheckedTable {
  protected readonly bb: ByteBuffer;
  protected readonly bb_pos: number;
  /** Names the table in error messages ("Tensor 12", "Operator 3"). */
  protected readonly what: string;

  constructor(bb: ByteBuffer, bb_pos: number, what: string) {
    this.bb = bb;
    this.bb_pos = bb_pos;
    this.what = what;
    checkRange(bb, bb_pos, 4, `${what} table`);
    const vtable = bb_pos - bb.readInt32(bb_pos);
    checkRange(bb, vtable, 4, `${what} vtable`);
    const vtableSize = bb.readUint16(vtable);
    const tableSize = bb.readUint16(vtable + 2);
    checkRange(bb, vtable, vtableSize, `${what} vtable`);
    checkRange(bb, bb_pos, tableSize, `${what} table`);
  }

  /** Byte position of field `id`'s value, or 0 when the field is absent (default value). */
  protected field(id: number, size: number): number {
    const relative = this.bb.__offset(this.bb_pos, 4 + 2 * id);
    if (relative === 0) return 0;
    checkRange(this.bb, this.bb_pos + relative, size, `${this.what} field ${id}`);
    return this.bb_pos + relative;
  }

  protected int8(id: number, fallback: number): number {
    const at = this.field(id, 1);
    return at ? this.bb.readInt8(at) : fallback;
  }

  protected uint8(id: number, fallback: number): number {
    const at = this.field(id, 1);
    return at ? this.bb.readUint8(at) : fallback;
  }

  protected bool(id: number, fallback: boolean): boolean {
    const at = this.field(id, 1);
    return at ? this.bb.readUint8(at) !== 0 : fallback;
  }

  protected int32(id: number, fallback: number): number {
    const at = this.field(id, 4);
    return at ? this.bb.readInt32(at) : fallback;
  }

  protected uint32(id: number, fallback: number): number {
    const at = this.field(id, 4);
    return at ? this.bb.readUint32(at) : fallback;
  }

  protected uint64(id: number, fallback: bigint): bigint {
    const at = this.field(id, 8);
    return at ? this.bb.readUint64(at) : fallback;
  }

  protected float32(id: number, fallback: number): number {
    const at = this.field(id, 4);
    return at ? this.bb.readFloat32(at) : fallback;
  }

  protected string(id: number): string | undefined {
    const at = this.field(id, 4);
    if (!at) return undefined;
    const start = this.bb.__indirect(at);
    checkRange(this.bb, start, 4, `${this.what} string ${id}`);
    checkRange(this.bb, start + 4, this.bb.readUint32(start), `${this.what} string ${id}`);
    return this.bb.__string(at) as string;
  }

  /** A sub-table, built with `make(bb, position)`. */
  protected table<T>(id: number, make: (bb: ByteBuffer, position: number) => T): T | undefined {
    const at = this.field(id, 4);
    return at ? make(this.bb, this.bb.__indirect(at)) : undefined;
  }

  /** Position of a vector's first element and its length, bounds-checked for `elementSize`. */
  protected vector(id: number, elementSize: number): { start: number; length: number } | undefined {
    const at = this.field(id, 4);
    if (!at) return undefined;
    checkRange(this.bb, this.bb.__indirect(at), 4, `${this.what} vector ${id}`);
    const start = this.bb.__vector(at);
    const length = this.bb.__vector_len(at);
    if (length < 0)
      throw new TfliteFormatError(`TFLite file is corrupt: ${this.what} vector ${id} has negative length ${length}`);
    checkRange(this.bb, start, length * elementSize, `${this.what} vector ${id} (${length} elements)`);
    return { start, length };
  }

  protected tables<T>(id: number, make: (bb: ByteBuffer, position: number, index: number) => T): T[] {
    const v = this.vector(id, 4);
    if (!v) return [];
    const result: T[] = [];
    for (let i = 0; i < v.length; i++) result.push(make(this.bb, this.bb.__indirect(v.start + 4 * i), i));
    return result;
  }

  protected int32s(id: number): number[] {
    const v = this.vector(id, 4);
    const result: number[] = [];
    if (v) for (let i = 0; i < v.length; i++) result.push(this.bb.readInt32(v.start + 4 * i));
    return result;
  }

  protected float32s(id: number): number[] {
    const v = this.vector(id, 4);
    const result: number[] = [];
    if (v) for (let i = 0; i < v.length; i++) result.push(this.bb.readFloat32(v.start + 4 * i));
    return result;
  }

  /** int64 values as numbers: zero points are small, so no precision is lost. */
  protected int64s(id: number): number[] {
    const v = this.vector(id, 8);
    const result: number[] = [];
    if (v) for (let i = 0; i < v.length; i++) result.push(Number(this.bb.readInt64(v.start + 8 * i)));
    return result;
  }

  /** A [ubyte] vector as a view into the file (no copy). */
  protected bytes(id: number): Uint8Array | undefined {
    const v = this.vector(id, 1);
    return v ? this.bb.bytes().subarray(v.start, v.start + v.length) : undefined;
  }
}
