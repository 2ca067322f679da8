/** Building and editing PNG chunks byte by byte (the fuzz cases need chunks no encoder writes). */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk with a correct CRC, so decoders get past the CRC check to the part under test. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export interface PngChunkAt {
  type: string;
  start: number;
  end: number;
  data: Buffer;
}

export function pngChunks(png: Buffer): PngChunkAt[] {
  const chunks: PngChunkAt[] = [];
  let i = 8;
  while (i + 12 <= png.length) {
    const length = png.readUInt32BE(i);
    const type = png.toString('latin1', i + 4, i + 8);
    const end = i + 12 + length;
    if (end > png.length) break;
    chunks.push({ type, start: i, end, data: png.subarray(i + 8, i + 8 + length) });
    i = end;
  }
  return chunks;
}

/** The PNG with `extra` chunks inserted right after IHDR (where text and ICC chunks may sit). */
export function insertAfterIhdr(png: Buffer, extra: Buffer[]): Buffer {
  const ihdr = pngChunks(png)[0];
  return Buffer.concat([png.subarray(0, ihdr.end), ...extra, png.subarray(ihdr.end)]);
}

/** The PNG with IHDR's width and height replaced (CRC recomputed). */
export function withPngSize(png: Buffer, width: number, height: number): Buffer {
  const ihdr = pngChunks(png)[0];
  const data = Buffer.from(ihdr.data);
  data.writeUInt32BE(width >>> 0, 0);
  data.writeUInt32BE(height >>> 0, 4);
  return Buffer.concat([png.subarray(0, ihdr.start), pngChunk('IHDR', data), png.subarray(ihdr.end)]);
}
