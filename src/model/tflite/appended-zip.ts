import { inflateRawSync } from 'node:zlib';
import { TfliteFormatError } from './errors';
import { toError } from '../../to-error';

/**
 * Reads the zip archive that TFLite's metadata writer appends to a model (label files and other
 * associated files). Only what such archives use: one disk, stored or deflated entries.
 * Offsets inside the archive count from the archive's own start, which lies somewhere after the
 * flatbuffer, so the start is worked out from where the end-of-central-directory record sits.
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

export interface ZipEntry {
  name: string;
  read(): Uint8Array;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function findEndOfCentralDirectory(data: DataView): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const lowest = Math.max(0, data.byteLength - 22 - 0xffff);
  for (let at = data.byteLength - 22; at >= lowest; at--) {
    if (data.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  return -1;
}

/** Lists the entries of the zip appended to `bytes`; an empty list when there is none. */
export function readAppendedZip(bytes: Uint8Array): ZipEntry[] {
  const data = view(bytes);
  const eocd = findEndOfCentralDirectory(data);
  if (eocd < 0) return [];
  const count = data.getUint16(eocd + 10, true);
  const directorySize = data.getUint32(eocd + 12, true);
  const directoryOffset = data.getUint32(eocd + 16, true);
  const directoryStart = eocd - directorySize;
  const archiveStart = directoryStart - directoryOffset;
  if (directoryStart < 0 || archiveStart < 0) {
    throw new TfliteFormatError(
      'The zip appended to the TFLite model is corrupt: its central directory lies before the file start',
    );
  }
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = directoryStart;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || data.getUint32(at, true) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new TfliteFormatError(
        `The zip appended to the TFLite model is corrupt: central directory entry ${i} is missing`,
      );
    }
    const method = data.getUint16(at + 10, true);
    const compressedSize = data.getUint32(at + 20, true);
    const size = data.getUint32(at + 24, true);
    const nameLength = data.getUint16(at + 28, true);
    const extraLength = data.getUint16(at + 30, true);
    const commentLength = data.getUint16(at + 32, true);
    const localHeader = archiveStart + data.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    entries.push({ name, read: () => readEntry(bytes, data, { name, method, compressedSize, size, localHeader }) });
  }
  return entries;
}

interface EntryLocation {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

function readEntry(bytes: Uint8Array, data: DataView, entry: EntryLocation): Uint8Array {
  const corrupt = (why: string) =>
    new TfliteFormatError(`Zip entry "${entry.name}" appended to the TFLite model is corrupt: ${why}`);
  if (entry.localHeader + 30 > bytes.length || data.getUint32(entry.localHeader, true) !== LOCAL_FILE_HEADER) {
    throw corrupt('no local file header where the directory points');
  }
  const start =
    entry.localHeader +
    30 +
    data.getUint16(entry.localHeader + 26, true) +
    data.getUint16(entry.localHeader + 28, true);
  if (start + entry.compressedSize > bytes.length) throw corrupt('its data runs past the end of the file');
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let content: Uint8Array;
  if (entry.method === STORED) content = raw;
  else if (entry.method === DEFLATED) content = inflate(raw, corrupt);
  else throw corrupt(`compression method ${entry.method} is not supported (valid: 0 stored, 8 deflate)`);
  if (content.length !== entry.size) throw corrupt(`expected ${entry.size} bytes, got ${content.length}`);
  return content;
}

function inflate(raw: Uint8Array, corrupt: (why: string) => Error): Uint8Array {
  try {
    return new Uint8Array(inflateRawSync(raw));
  } catch (error) {
    throw corrupt(`deflate data does not decode (${toError(error).message})`);
  }
}
