import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { bases, casesOf, IMAGE_SURFACES } from './gen-common';
import { insertAfterSoi, jpegSegment } from './jpeg-bytes';
import { insertAfterIhdr, pngChunk } from './png-bytes';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext } from './types';

/**
 * Metadata the pixel bound never sees: compressed PNG text and ICC chunks that inflate to
 * gigabytes from a file of a megabyte, thousands of segments, and EXIF that is garbage.
 */

/**
 * libpng refuses one text chunk that inflates past its per-chunk limit, but not many chunks just
 * under it: 16 chunks of 8 MB took one classify to ~900 MB RSS (measured), so the bombs are many.
 */
const BOMB_MB = 8;
let bombBlob: Promise<Buffer> | undefined;

/** zlib data inflating to BOMB_MB of text (≈ 1/1000 of that), deflated in slices: bounded here too. */
function deflatedZeros(): Promise<Buffer> {
  bombBlob ??= new Promise<Buffer>((resolve, reject) => {
    const deflate = zlib.createDeflate({ level: 9, memLevel: 9 });
    const parts: Buffer[] = [];
    deflate.on('data', (d: Buffer) => parts.push(d));
    deflate.on('end', () => resolve(Buffer.concat(parts)));
    deflate.on('error', reject);
    const slice = Buffer.alloc(1 << 20, 'A');
    let written = 0;
    const pump = (): void => {
      while (written < BOMB_MB) {
        written++;
        if (!deflate.write(slice)) {
          deflate.once('drain', pump);
          return;
        }
      }
      deflate.end();
    };
    pump();
  });
  return bombBlob;
}

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** A TIFF structure as EXIF carries it, with IFD entries whose counts and offsets are hostile. */
function hostileExif(rng: Rng): Buffer {
  const little = rng.next() < 0.5;
  const entries = rng.int(1, 40);
  const tiff = Buffer.alloc(8 + 2 + entries * 12 + 4);
  tiff.write(little ? 'II' : 'MM', 0, 'latin1');
  const u16 = (v: number, at: number): number => (little ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
  const u32 = (v: number, at: number): number =>
    little ? tiff.writeUInt32LE(v >>> 0, at) : tiff.writeUInt32BE(v >>> 0, at);
  u16(42, 2);
  u32(8, 4);
  u16(rng.next() < 0.2 ? 0xffff : entries, 8);
  for (let e = 0; e < entries; e++) {
    const at = 10 + e * 12;
    // orientation, sub-IFDs, maker note…
    u16(rng.pick([0x0112, 0x8769, 0x8825, 0xa005, 0x927c, 0x010f, rng.int(0, 0xffff)]), at);
    u16(rng.int(0, 13), at + 2); // type, including invalid ones
    u32(rng.pick([0, 1, 0xffffffff, 0x7fffffff, rng.int(0, 1 << 20)]), at + 4); // count
    u32(rng.pick([8, 0, 0xfffffff0, rng.int(0, 4096)]), at + 8); // value or offset (8: a loop back to the first IFD)
  }
  u32(rng.pick([0, 8, 0xffffffff]), 10 + entries * 12); // next IFD: none, itself, nowhere
  return Buffer.concat([latin1('Exif\0\0'), rng.next() < 0.3 ? rng.bytes(rng.int(0, 2048)) : tiff]);
}

export const metadataFamily: Family = {
  name: 'metadata',
  kinds: [
    'png-ztxt-bomb',
    'png-itxt-bomb',
    'png-iccp-bomb',
    'png-many-chunks',
    'jpeg-many-app',
    'jpeg-exif-garbage',
    'jpeg-exif-orientation-bad',
    'jpeg-icc-garbage',
    'png-exif-garbage',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const base = await bases(ctx.photos);
    const bomb = await deflatedZeros();
    const png = (
      name: string,
      expect: 'error' | 'either',
      make: (rng: Rng) => { extra: Buffer[]; what: string },
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'metadata', name, IMAGE_SURFACES, (rng) => {
        const { extra, what } = make(rng);
        return {
          what,
          expect,
          input: { type: 'image', bytes: insertAfterIhdr(base.png, extra), contentType: 'image/png' },
        };
      });
    const jpeg = (
      name: string,
      expect: 'error' | 'either',
      make: (rng: Rng) => { extra: Buffer[]; what: string },
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'metadata', name, IMAGE_SURFACES, (rng) => {
        const { extra, what } = make(rng);
        return {
          what,
          expect,
          input: { type: 'image', bytes: insertAfterSoi(base.jpeg, extra), contentType: 'image/jpeg' },
        };
      });
    return [
      ...(await png('png-ztxt-bomb', 'error', (rng) => {
        const count = rng.int(32, 160);
        const chunk = pngChunk('zTXt', Buffer.concat([latin1('Comment\0'), Buffer.from([0]), bomb]));
        return {
          extra: Array.from({ length: count }, () => chunk),
          what: `${count} zTXt chunks inflating to ${count * BOMB_MB} MB`,
        };
      })),
      ...(await png('png-itxt-bomb', 'error', (rng) => {
        const count = rng.int(32, 160);
        const chunk = pngChunk(
          'iTXt',
          Buffer.concat([latin1('Description\0'), Buffer.from([1, 0]), latin1('en\0Description\0'), bomb]),
        );
        return {
          extra: Array.from({ length: count }, () => chunk),
          what: `${count} compressed iTXt chunks inflating to ${count * BOMB_MB} MB`,
        };
      })),
      // One iCCP chunk is allowed, and the profile is ignored (ignoreIcc): it must stay bounded.
      ...(await png('png-iccp-bomb', 'either', () => ({
        extra: [pngChunk('iCCP', Buffer.concat([latin1('icc\0'), Buffer.from([0]), bomb]))],
        what: `an iCCP profile inflating to ${BOMB_MB} MB`,
      }))),
      ...(await png('png-many-chunks', 'either', (rng) => {
        const count = rng.int(2000, 30000);
        const chunk = pngChunk(rng.pick(['tEXt', 'zzZz', 'prVt']), latin1('k\0v'));
        return { extra: Array.from({ length: count }, () => chunk), what: `${count} small ancillary chunks` };
      })),
      ...(await jpeg('jpeg-many-app', 'either', (rng) => {
        const count = rng.int(50, 130);
        const size = rng.int(1000, 65533);
        return {
          extra: Array.from({ length: count }, () => jpegSegment(0xe0 + rng.int(2, 15), rng.bytes(size))),
          what: `${count} APPn segments of ${size} bytes`,
        };
      })),
      ...(await jpeg('jpeg-exif-garbage', 'either', (rng) => ({
        extra: [jpegSegment(0xe1, hostileExif(rng))],
        what: 'an APP1 Exif segment with hostile IFD counts and offsets',
      }))),
      ...(await casesOf(ctx, 'metadata', 'jpeg-exif-orientation-bad', IMAGE_SURFACES, async (rng) => {
        const orientation = rng.pick([0, 9, 255, 65535]);
        const exif = Buffer.alloc(8 + 2 + 12 + 4);
        exif.write('II', 0, 'latin1');
        exif.writeUInt16LE(42, 2);
        exif.writeUInt32LE(8, 4);
        exif.writeUInt16LE(1, 8);
        exif.writeUInt16LE(0x0112, 10);
        exif.writeUInt16LE(3, 12);
        exif.writeUInt32LE(1, 14);
        exif.writeUInt16LE(orientation, 18);
        const bytes = insertAfterSoi(await sharp(base.jpeg).jpeg().toBuffer(), [
          jpegSegment(0xe1, Buffer.concat([latin1('Exif\0\0'), exif])),
        ]);
        return {
          what: `EXIF orientation ${orientation}`,
          expect: 'either',
          input: { type: 'image', bytes, contentType: 'image/jpeg' },
        };
      })),
      ...(await jpeg('jpeg-icc-garbage', 'either', (rng) => ({
        extra: [
          jpegSegment(
            0xe2,
            Buffer.concat([latin1('ICC_PROFILE\0'), Buffer.from([1, 1]), rng.bytes(rng.int(0, 60000))]),
          ),
        ],
        what: 'an APP2 ICC profile of random bytes',
      }))),
      ...(await png('png-exif-garbage', 'either', (rng) => ({
        extra: [pngChunk('eXIf', hostileExif(rng).subarray(6))],
        what: 'an eXIf chunk with hostile IFD counts and offsets',
      }))),
    ];
  },
};
