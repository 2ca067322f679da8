// Images whose metadata inflates far beyond their size, made in the test run from the fixture photos.
import { deflateSync } from 'node:zlib';
import { readImage } from '../fixtures';
import { pngChunk } from './sample-images';

const MiB = 1024 * 1024;

/** `png` with `chunks` inserted right after its IHDR (where text and ICC chunks usually sit). */
export function withPngChunks(png: Buffer, chunks: Buffer[]): Buffer {
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, afterIhdr), ...chunks, png.subarray(afterIhdr)]);
}

/** A zlib stream of `mib` MiB of one repeated byte: ~1000:1, so 8 MiB costs ~8 KB. */
export function zeros(mib: number): Buffer {
  return deflateSync(Buffer.alloc(mib * MiB, 0x20), { level: 9 });
}

export function zTXt(keyword: string, stream: Buffer): Buffer {
  return pngChunk('zTXt', Buffer.concat([Buffer.from(`${keyword}\0\0`, 'latin1'), stream]));
}

export function iTXtCompressed(keyword: string, stream: Buffer): Buffer {
  // keyword \0, compression flag 1, method 0, language "en" \0, translated keyword \0, data
  return pngChunk('iTXt', Buffer.concat([Buffer.from(`${keyword}\0\x01\x00en\0${keyword}\0`, 'latin1'), stream]));
}

export function iCCP(name: string, stream: Buffer): Buffer {
  return pngChunk('iCCP', Buffer.concat([Buffer.from(`${name}\0\0`, 'latin1'), stream]));
}

export function tEXt(keyword: string, text: string | Buffer): Buffer {
  return pngChunk(
    'tEXt',
    Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1')]),
  );
}

/**
 * coffee.png carrying `count` zTXt chunks of `mibEach` MiB each once inflated. 8 × 8 MiB is a
 * ~350 KB file that cost libvips ~400 MB to read before it was refused (16 × 32 MiB: 2.6 GB).
 */
export function pngTextBomb(count = 8, mibEach = 8): Buffer {
  const chunk = zTXt('Comment', zeros(mibEach));
  return withPngChunks(
    readImage('coffee.png'),
    Array.from({ length: count }, () => chunk),
  );
}

/** A JPEG with `segments` extra segments of `marker` (COM 0xFE, APP1 0xE1...) of `bytes` bytes each, after SOI. */
export function jpegWithSegments(jpeg: Buffer, marker: number, segments: number, bytes: number): Buffer {
  const segment = Buffer.alloc(4 + bytes, 0x20);
  segment[0] = 0xff;
  segment[1] = marker;
  segment.writeUInt16BE(bytes + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), ...Array.from({ length: segments }, () => segment), jpeg.subarray(2)]);
}
