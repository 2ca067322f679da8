// Test images made from the real fixture photos, and helpers to compare pixels.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { readImage } from '../fixtures';

export interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/** Decodes to raw pixels as stored: no EXIF orientation, no colour management. */
export async function decodeStored(bytes: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(bytes, { ignoreIcc: true }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** A fixture photo scaled down to `width` pixels wide, as RGB pixels (small keeps the tests fast). */
export async function smallPhoto(file: string, width: number): Promise<Pixels> {
  const { data, info } = await sharp(readImage(file), { ignoreIcc: true })
    .resize({ width, kernel: 'linear' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

export function sharpOf(pixels: Pixels): sharp.Sharp {
  return sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels as 1 | 2 | 3 | 4 },
  });
}

/** Mean absolute difference per channel value (0..255). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The `rect` of an interleaved image, cut out with plain array indexing. */
export function crop(p: Pixels, left: number, top: number, width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * p.channels);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * p.width + left) * p.channels;
    p.data.copy(out, y * width * p.channels, from, from + width * p.channels);
  }
  return out;
}

/** The image turned 90° clockwise, by index arithmetic. */
export function rotate90Clockwise(p: Pixels): Pixels {
  const out = Buffer.alloc(p.data.length);
  const w = p.height;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const nx = p.height - 1 - y;
      const ny = x;
      for (let c = 0; c < p.channels; c++)
        out[(ny * w + nx) * p.channels + c] = p.data[(y * p.width + x) * p.channels + c];
    }
  }
  return { data: out, width: w, height: p.width, channels: p.channels };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid PNG of a few hundred bytes whose header claims width×height RGB pixels: decoding it
 * would need width×height×3 bytes (30 GB for 100000×100000) — a decompression bomb.
 */
export function pngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const firstRows = deflateSync(Buffer.alloc((width * 3 + 1) * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', firstRows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
