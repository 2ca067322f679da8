import sharp, { type Sharp } from 'sharp';
import { bases, casesOf, CONTENT_TYPES, IMAGE_SURFACES } from './gen-common';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext } from './types';

/**
 * Inputs at the edges of each format that a camera or a user legitimately sends: they must
 * classify, and where the photo's content is kept intact, as the photo (parrot: macaw).
 */

const MACAW = 'macaw';

/** What has to be done to upright pixels so that EXIF orientation `o` shows them upright again. */
async function storedFor(upright: Buffer, orientation: number): Promise<Buffer> {
  const step = async (input: Buffer, f: (s: Sharp) => Sharp): Promise<Buffer> => f(sharp(input)).png().toBuffer();
  switch (orientation) {
    case 2:
      return step(upright, (s) => s.flop());
    case 3:
      return step(upright, (s) => s.rotate(180));
    case 4:
      return step(upright, (s) => s.flip());
    case 5:
      return step(await step(upright, (s) => s.rotate(90)), (s) => s.flop());
    case 6:
      return step(upright, (s) => s.rotate(270));
    case 7:
      return step(await step(upright, (s) => s.rotate(270)), (s) => s.flop());
    case 8:
      return step(upright, (s) => s.rotate(90));
    default:
      return upright;
  }
}

async function encode(s: Sharp, format: string): Promise<Buffer> {
  switch (format) {
    case 'jpeg':
      return s.jpeg().toBuffer();
    case 'png':
      return s.png().toBuffer();
    case 'webp':
      return s.webp().toBuffer();
    case 'gif':
      return s.gif({ effort: 1, dither: 0 }).toBuffer();
    case 'tiff':
      return s.tiff().toBuffer();
    default:
      return s.avif({ effort: 0 }).toBuffer();
  }
}

function noise(rng: Rng, width: number, height: number, channels: 3 | 4): Sharp {
  return sharp(rng.bytes(width * height * channels), { raw: { width, height, channels } });
}

export const validFamily: Family = {
  name: 'valid',
  kinds: [
    'jpeg-grey',
    'png-grey-alpha',
    'png-rgba',
    'png-16bit',
    'jpeg-progressive',
    'jpeg-cmyk',
    'jpeg-exif-orientation',
    'image-1x1',
    'image-tiny',
    'gif-animated',
    'png-interlaced',
    'webp-alpha',
    'tiff',
    'avif',
    'extreme-aspect',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const base = await bases(ctx.photos);
    const parrot = (): Sharp => sharp(base.png);
    const ok = (
      name: string,
      make: (rng: Rng) => Promise<{ bytes: Buffer; format: string; what: string; label?: string }>,
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'valid', name, IMAGE_SURFACES, async (rng) => {
        const { bytes, format, what, label } = await make(rng);
        return { what, expect: 'ok', label, input: { type: 'image', bytes, contentType: CONTENT_TYPES[format] } };
      });
    return [
      ...(await ok('jpeg-grey', async () => ({
        bytes: await parrot().greyscale().jpeg().toBuffer(),
        format: 'jpeg',
        what: 'a greyscale JPEG',
      }))),
      ...(await ok('png-grey-alpha', async (rng) => ({
        bytes: await parrot().greyscale().ensureAlpha(rng.next()).png().toBuffer(),
        format: 'png',
        what: 'a grey + alpha PNG',
      }))),
      ...(await ok('png-rgba', async () => ({
        bytes: await parrot().ensureAlpha(1).png().toBuffer(),
        format: 'png',
        what: 'an RGBA PNG, opaque',
        label: MACAW,
      }))),
      ...(await ok('png-16bit', async () => ({
        bytes: await parrot().toColourspace('rgb16').png().toBuffer(),
        format: 'png',
        what: 'a 16-bit RGB PNG',
        label: MACAW,
      }))),
      ...(await ok('jpeg-progressive', async (rng) => ({
        bytes: await parrot()
          .jpeg({ progressive: true, quality: rng.int(60, 95) })
          .toBuffer(),
        format: 'jpeg',
        what: 'a progressive JPEG',
        label: MACAW,
      }))),
      ...(await ok('jpeg-cmyk', async () => ({
        bytes: await parrot().toColourspace('cmyk').jpeg().toBuffer(),
        format: 'jpeg',
        what: 'a CMYK JPEG',
      }))),
      ...(await ok('jpeg-exif-orientation', async (rng) => {
        const orientation = rng.int(1, 8);
        const stored = await storedFor(base.png, orientation);
        return {
          bytes: await sharp(stored).jpeg({ quality: 90 }).withMetadata({ orientation }).toBuffer(),
          format: 'jpeg',
          what: `a JPEG stored turned, with EXIF orientation ${orientation} to set it upright`,
          label: MACAW,
        };
      })),
      ...(await ok('image-1x1', async (rng) => {
        const format = rng.pick(['jpeg', 'png', 'webp', 'gif']);
        return { bytes: await encode(noise(rng, 1, 1, 3), format), format, what: `a 1×1 ${format}` };
      })),
      ...(await ok('image-tiny', async (rng) => {
        const [w, h] = [rng.int(1, 16), rng.int(1, 16)];
        const format = rng.pick(['jpeg', 'png', 'webp', 'gif', 'tiff']);
        return {
          bytes: await encode(noise(rng, w, h, rng.pick([3, 4] as const)), format),
          format,
          what: `a ${w}×${h} ${format}`,
        };
      })),
      ...(await ok('gif-animated', async (rng) => {
        const frames = rng.int(2, 5);
        const { width, height } = base.rgb;
        const others = await Promise.all(
          ['coffee.png', 'owl.jpg', 'hot_dog.jpg', 'rocket.jpg']
            .slice(0, frames - 1)
            .map((f) => sharp(ctx.photos[f]).resize(width, height, { fit: 'fill' }).png().toBuffer()),
        );
        const bytes = await sharp([base.png, ...others], { join: { animated: true } })
          .gif({ delay: 100, effort: 1, dither: 0 })
          .toBuffer();
        return { bytes, format: 'gif', what: `an animated GIF of ${frames} frames, the parrot first`, label: MACAW };
      })),
      ...(await ok('png-interlaced', async () => ({
        bytes: await parrot().png({ progressive: true }).toBuffer(),
        format: 'png',
        what: 'an Adam7-interlaced PNG',
        label: MACAW,
      }))),
      ...(await ok('webp-alpha', async (rng) => ({
        bytes: await parrot()
          .ensureAlpha(1)
          .webp({ lossless: rng.next() < 0.5, effort: 0 })
          .toBuffer(),
        format: 'webp',
        what: 'a WebP with alpha',
        label: MACAW,
      }))),
      ...(await ok('tiff', async (rng) => ({
        bytes: await parrot()
          .tiff({ compression: rng.pick(['none', 'lzw', 'deflate', 'jpeg'] as const) })
          .toBuffer(),
        format: 'tiff',
        what: 'a TIFF',
        label: MACAW,
      }))),
      ...(await ok('avif', async () => ({
        bytes: await parrot().avif({ effort: 0, quality: 70 }).toBuffer(),
        format: 'avif',
        what: 'an AVIF',
        label: MACAW,
      }))),
      ...(await casesOf(ctx, 'valid', 'extreme-aspect', IMAGE_SURFACES, async (rng) => {
        const long = rng.int(500, 4000);
        const [w, h] = rng.next() < 0.5 ? [long, 1] : [1, long];
        const format = rng.pick(['jpeg', 'png']);
        return {
          what: `a ${w}×${h} ${format}`,
          expect: 'either',
          input: {
            type: 'image',
            bytes: await encode(noise(rng, w, h, 3), format),
            contentType: CONTENT_TYPES[format],
          },
        };
      })),
    ];
  },
};
