import { bases, casesOf, CONTENT_TYPES, IMAGE_SURFACES } from './gen-common';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext } from './types';

/** Images damaged the way broken cameras, disks and networks damage them. */

const FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
type Format = (typeof FORMATS)[number];

function truncate(rng: Rng, bytes: Buffer): { bytes: Buffer; at: number } {
  const at = rng.int(1, bytes.length - 1);
  return { bytes: Buffer.from(bytes.subarray(0, at)), at };
}

function flipBits(rng: Rng, bytes: Buffer, flips: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < flips; i++) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
  return out;
}

/** Two byte ranges of one length swapped (what a reordering network or a bad cache does). */
function shuffleRanges(rng: Rng, bytes: Buffer): { bytes: Buffer; what: string } {
  const out = Buffer.from(bytes);
  const length = rng.int(1, Math.max(1, Math.floor(out.length / 8)));
  const a = rng.int(0, out.length - length);
  const b = rng.int(0, out.length - length);
  const copy = Buffer.from(out.subarray(a, a + length));
  out.copy(out, a, b, b + length);
  copy.copy(out, b);
  return { bytes: out, what: `${length} bytes at ${a} and ${b} swapped` };
}

const MAGIC: Record<string, Buffer> = {
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  gif: Buffer.from('GIF89a', 'latin1'),
  webp: Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 ')]),
  tiff: Buffer.from([0x49, 0x49, 0x2a, 0x00]),
  avif: Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from('ftypavif')]),
};

export const corruptFamily: Family = {
  name: 'corrupt',
  kinds: [
    ...FORMATS.map((f) => `${f}-truncated`),
    ...FORMATS.map((f) => `${f}-bitflip`),
    'jpeg-shuffle',
    'png-shuffle',
    'random-bytes',
    'magic-then-noise',
    'unsupported-format',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const base = await bases(ctx.photos);
    const cases: FuzzCase[] = [];
    for (const format of FORMATS) {
      const bytes = base[format] as Buffer;
      cases.push(
        ...(await casesOf(ctx, 'corrupt', `${format}-truncated`, IMAGE_SURFACES, (rng) => {
          const cut = truncate(rng, bytes);
          // A JPEG or PNG cut short is refused by its missing end marker, a WebP by libwebp; a GIF
          // cut after its first frame's data is a complete picture to its decoder.
          return {
            what: `${format} cut at byte ${cut.at} of ${bytes.length}`,
            expect: format === 'gif' ? 'either' : 'error',
            input: { type: 'image', bytes: cut.bytes, contentType: CONTENT_TYPES[format] },
          };
        })),
        ...(await casesOf(ctx, 'corrupt', `${format}-bitflip`, IMAGE_SURFACES, (rng) => {
          const flips = rng.int(1, 32);
          return {
            what: `${format} with ${flips} bits flipped`,
            expect: 'either',
            input: { type: 'image', bytes: flipBits(rng, bytes, flips), contentType: CONTENT_TYPES[format] },
          };
        })),
      );
    }
    for (const format of ['jpeg', 'png'] as Format[]) {
      cases.push(
        ...(await casesOf(ctx, 'corrupt', `${format}-shuffle`, IMAGE_SURFACES, (rng) => {
          const shuffled = shuffleRanges(rng, base[format] as Buffer);
          return {
            what: `${format}: ${shuffled.what}`,
            expect: 'either',
            input: { type: 'image', bytes: shuffled.bytes, contentType: CONTENT_TYPES[format] },
          };
        })),
      );
    }
    cases.push(
      ...(await casesOf(ctx, 'corrupt', 'random-bytes', IMAGE_SURFACES, (rng) => {
        const length = rng.int(1, 65536);
        return {
          what: `${length} random bytes`,
          expect: 'error',
          input: { type: 'image', bytes: rng.bytes(length), contentType: 'image/jpeg' },
        };
      })),
      ...(await casesOf(ctx, 'corrupt', 'magic-then-noise', IMAGE_SURFACES, (rng) => {
        const format = rng.pick(Object.keys(MAGIC));
        const noise = rng.bytes(rng.int(0, 4096));
        return {
          what: `${format} signature then ${noise.length} random bytes`,
          expect: 'error',
          input: {
            type: 'image',
            bytes: Buffer.concat([MAGIC[format], noise]),
            contentType: CONTENT_TYPES[format] ?? 'image/jpeg',
          },
        };
      })),
      ...(await casesOf(ctx, 'corrupt', 'unsupported-format', IMAGE_SURFACES, (rng) => {
        const choice = rng.pick(['bmp', 'svg', 'heic', 'pdf', 'ico'] as const);
        const bytes = {
          bmp: () => ctx.photos['dragonfly.bmp'],
          svg: () =>
            Buffer.from(
              `<svg xmlns="http://www.w3.org/2000/svg" width="${rng.int(1, 99999)}" ` +
                `height="${rng.int(1, 99999)}"><rect width="10" height="10"/></svg>`,
            ),
          heic: () =>
            Buffer.concat([
              Buffer.from([0, 0, 0, 0x18]),
              Buffer.from('ftypheic'),
              Buffer.alloc(4),
              Buffer.from('mif1heic'),
              rng.bytes(512),
            ]),
          pdf: () => Buffer.concat([Buffer.from('%PDF-1.4\n'), rng.bytes(256)]),
          ico: () => Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0]), rng.bytes(256)]),
        }[choice]();
        return {
          what: `a ${choice} file`,
          expect: 'error',
          input: { type: 'image', bytes, contentType: `image/${choice}` },
        };
      })),
    );
    return cases;
  },
};
