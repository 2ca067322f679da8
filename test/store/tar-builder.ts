import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** One archive entry: `data`, or `size` zero bytes (a bomb costs nothing to make and a few kB to store). */
export interface TarEntry {
  name: string;
  data?: Buffer;
  size?: number;
  /** Tar type flag: '0' regular file (default), 'L' GNU long name, '2' symlink, '5' directory. */
  type?: string;
  linkName?: string;
}

function field(block: Buffer, offset: number, length: number, text: string): void {
  block.write(text.slice(0, length), offset, 'latin1');
}

/** A ustar header with a valid checksum. */
export function tarHeader(entry: TarEntry): Buffer {
  const size = entry.data?.length ?? entry.size ?? 0;
  const block = Buffer.alloc(512);
  field(block, 0, 100, entry.name);
  field(block, 100, 8, '0000644\0');
  field(block, 108, 8, '0000000\0');
  field(block, 116, 8, '0000000\0');
  field(block, 124, 12, `${size.toString(8).padStart(11, '0')}\0`);
  field(block, 136, 12, '00000000000\0');
  field(block, 156, 1, entry.type ?? '0');
  if (entry.linkName) field(block, 157, 100, entry.linkName);
  field(block, 257, 6, 'ustar\0');
  field(block, 263, 2, '00');
  field(block, 148, 8, '        ');
  const sum = block.reduce((total, byte) => total + byte, 0);
  field(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

async function* tarBlocks(entries: TarEntry[]): AsyncGenerator<Buffer> {
  const zeros = Buffer.alloc(1 << 20);
  for (const entry of entries) {
    yield tarHeader(entry);
    const size = entry.data?.length ?? entry.size ?? 0;
    if (entry.data) yield entry.data;
    else {
      for (let left = size; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
    }
    const pad = (512 - (size % 512)) % 512;
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(1024);
}

/** Writes a gzip-compressed tar of `entries` to `file`, streaming (zero bodies are never held whole). */
export async function writeTarGz(file: string, entries: TarEntry[]): Promise<void> {
  await pipeline(Readable.from(tarBlocks(entries)), createGzip({ level: 1 }), fs.createWriteStream(file));
}
