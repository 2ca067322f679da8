import sharp from 'sharp';
import { Rng } from './rng';
import type { FuzzCase, GeneratorContext, Surface } from './types';

export const IMAGE_SURFACES: Surface[] = ['library', 'node', 'http'];

type CaseBody = Omit<FuzzCase, 'id' | 'kind' | 'family' | 'surfaces'> & { surfaces?: Surface[] };

/** `casesPerKind` cases of one kind, each from the kind's own seeded generator. */
export async function casesOf(
  ctx: GeneratorContext,
  family: string,
  kind: string,
  surfaces: Surface[],
  build: (rng: Rng, n: number) => CaseBody | Promise<CaseBody>,
): Promise<FuzzCase[]> {
  const rng = Rng.forKind(ctx.seed, kind);
  const cases: FuzzCase[] = [];
  for (let n = 0; n < ctx.casesPerKind; n++) {
    const body = await build(rng, n);
    cases.push({ ...body, surfaces: body.surfaces ?? surfaces, id: `${kind}#${n}`, kind, family });
  }
  return cases;
}

export interface Bases {
  jpeg: Buffer;
  png: Buffer;
  webp: Buffer;
  gif: Buffer;
  /** The parrot as 8-bit RGB pixels, and its size. */
  rgb: { data: Buffer; width: number; height: number };
}

let cached: Promise<Bases> | undefined;

/**
 * The parrot photo (macaw for every fixture model) re-encoded small in each container the cases
 * break: small keeps the run fast, the photo keeps the label known.
 */
export function bases(photos: Record<string, Buffer>): Promise<Bases> {
  cached ??= (async () => {
    const small = sharp(photos['parrot.jpg']).resize({ width: 240 });
    const { data, info } = await small.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      jpeg: await small.clone().jpeg({ quality: 85 }).toBuffer(),
      png: await small.clone().png().toBuffer(),
      webp: await small.clone().webp({ quality: 80 }).toBuffer(),
      // GIF and lossless WebP at their lowest effort: the default effort takes seconds per image.
      gif: await small.clone().gif({ effort: 1, dither: 0 }).toBuffer(),
      rgb: { data, width: info.width, height: info.height },
    };
  })();
  return cached;
}

export const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
};
