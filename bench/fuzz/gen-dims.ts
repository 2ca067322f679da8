import { bases, casesOf, IMAGE_SURFACES } from './gen-common';
import { withJpegSize } from './jpeg-bytes';
import { withPngSize } from './png-bytes';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext } from './types';

/**
 * Headers that lie about the size: a decompression bomb claims more pixels than exist (and, if
 * believed, allocates them); a 0×0 claim must not reach code that divides by the size.
 */

/** The GIF with its logical screen and every image descriptor claiming width × height. */
function withGifSize(gif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(gif);
  out.writeUInt16LE(width, 6);
  out.writeUInt16LE(height, 8);
  const flags = out[10];
  let i = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  while (i < out.length) {
    const block = out[i];
    if (block === 0x21) {
      i += 2;
      while (i < out.length && out[i] !== 0) i += out[i] + 1;
      i += 1;
    } else if (block === 0x2c) {
      out.writeUInt16LE(width, i + 5);
      out.writeUInt16LE(height, i + 7);
      const local = out[i + 9];
      i += 10 + (local & 0x80 ? 3 * 2 ** ((local & 7) + 1) : 0) + 1; // + LZW minimum code size
      while (i < out.length && out[i] !== 0) i += out[i] + 1;
      i += 1;
    } else {
      break;
    }
  }
  return out;
}

/** A lossy WebP whose VP8 frame header claims width × height (14 bits each: at most 16383). */
function withVp8Size(webp: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(webp);
  const at = out.indexOf(Buffer.from([0x9d, 0x01, 0x2a]), 20);
  if (at < 0) throw new Error('no VP8 start code');
  out.writeUInt16LE(width & 0x3fff, at + 3);
  out.writeUInt16LE(height & 0x3fff, at + 5);
  return out;
}

/** The WebP in the extended format, whose VP8X canvas claims width × height (24 bits each). */
function withVp8xCanvas(webp: Buffer, width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(Math.max(0, width - 1) & 0xffffff, 12, 3);
  vp8x.writeUIntLE(Math.max(0, height - 1) & 0xffffff, 15, 3);
  const body = Buffer.concat([webp.subarray(12, 12), vp8x, webp.subarray(12)]);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length + 4, 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, body]);
}

const HUGE = (rng: Rng, max: number): [number, number] =>
  rng.pick<[number, number]>([
    [max, max],
    [rng.int(20000, max), rng.int(20000, max)],
    [1, max],
    [max, 1],
  ]);

const ZERO = (rng: Rng, small: number): [number, number] =>
  rng.pick<[number, number]>([
    [0, 0],
    [0, small],
    [small, 0],
  ]);

export const dimsFamily: Family = {
  name: 'dims',
  kinds: [
    'jpeg-sof-huge',
    'jpeg-sof-zero',
    'png-ihdr-huge',
    'png-ihdr-zero',
    'gif-huge',
    'gif-zero',
    'webp-huge',
    'webp-zero',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const base = await bases(ctx.photos);
    const kind = (
      name: string,
      contentType: string,
      expectOf: (w: number, h: number) => 'error' | 'either',
      make: (rng: Rng) => { bytes: Buffer; w: number; h: number },
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'dims', name, IMAGE_SURFACES, (rng) => {
        const { bytes, w, h } = make(rng);
        return {
          what: `header claims ${w}×${h}`,
          expect: expectOf(w, h),
          input: { type: 'image', bytes, contentType },
        };
      });
    // 1 × 65535 is 65,535 pixels: under the pixel bound, so a decoder may legitimately try it.
    const hugeExpect = (w: number, h: number): 'error' | 'either' => (w * h > 50e6 ? 'error' : 'either');
    return [
      ...(await kind('jpeg-sof-huge', 'image/jpeg', hugeExpect, (rng) => {
        const [w, h] = HUGE(rng, 65535);
        return { bytes: withJpegSize(base.jpeg, w, h), w, h };
      })),
      ...(await kind(
        'jpeg-sof-zero',
        'image/jpeg',
        () => 'error',
        (rng) => {
          const [w, h] = ZERO(rng, base.rgb.width);
          return { bytes: withJpegSize(base.jpeg, w, h), w, h };
        },
      )),
      ...(await kind('png-ihdr-huge', 'image/png', hugeExpect, (rng) => {
        const [w, h] = rng.pick<[number, number]>([
          [100000, 100000],
          [2 ** 31 - 1, 2 ** 31 - 1],
          ...[HUGE(rng, 1_000_000)],
        ]);
        return { bytes: withPngSize(base.png, w, h), w, h };
      })),
      ...(await kind(
        'png-ihdr-zero',
        'image/png',
        () => 'error',
        (rng) => {
          const [w, h] = ZERO(rng, base.rgb.width);
          return { bytes: withPngSize(base.png, w, h), w, h };
        },
      )),
      ...(await kind('gif-huge', 'image/gif', hugeExpect, (rng) => {
        const [w, h] = HUGE(rng, 65535);
        return { bytes: withGifSize(base.gif, w, h), w, h };
      })),
      ...(await kind(
        'gif-zero',
        'image/gif',
        () => 'error',
        (rng) => {
          const [w, h] = ZERO(rng, base.rgb.width);
          return { bytes: withGifSize(base.gif, w, h), w, h };
        },
      )),
      ...(await kind('webp-huge', 'image/webp', hugeExpect, (rng) => {
        if (rng.next() < 0.5) return { bytes: withVp8Size(base.webp, 16383, 16383), w: 16383, h: 16383 };
        const [w, h] = rng.pick<[number, number]>([
          [100000, 100000],
          [2 ** 24, 2 ** 24],
        ]);
        return { bytes: withVp8xCanvas(base.webp, w, h), w, h };
      })),
      ...(await kind(
        'webp-zero',
        'image/webp',
        () => 'error',
        (rng) => {
          const [w, h] = ZERO(rng, base.rgb.width);
          return { bytes: withVp8Size(base.webp, w, h), w, h };
        },
      )),
    ];
  },
};
