import { bases, casesOf } from './gen-common';
import type { Family, FuzzCase, GeneratorContext, Surface } from './types';

/** Raw camera frames whose byte count and declared geometry disagree. */

const RAW_SURFACES: Surface[] = ['library', 'node'];

const BAD_DIMENSIONS: unknown[] = [0, -1, 1.5, Number.NaN, Infinity, '3x', '', null, true, {}, [3], '-4', 2 ** 53];

export const rawFamily: Family = {
  name: 'raw',
  kinds: ['raw-short', 'raw-long', 'raw-bad-geometry', 'raw-huge-claim', 'raw-valid'],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const { rgb } = await bases(ctx.photos);
    const length = rgb.width * rgb.height * 3;
    return [
      ...(await casesOf(ctx, 'raw', 'raw-short', RAW_SURFACES, (rng) => {
        const cut = rng.int(1, length - 1);
        return {
          what: `${rgb.width}×${rgb.height}×3 declared, ${cut} bytes given`,
          expect: 'error',
          input: { type: 'raw', bytes: rgb.data.subarray(0, cut), width: rgb.width, height: rgb.height, channels: 3 },
        };
      })),
      ...(await casesOf(ctx, 'raw', 'raw-long', RAW_SURFACES, (rng) => {
        const extra = rng.int(1, length);
        return {
          what: `${rgb.width}×${rgb.height}×3 declared, ${length + extra} bytes given`,
          expect: 'error',
          input: {
            type: 'raw',
            bytes: Buffer.concat([rgb.data, rng.bytes(extra)]),
            width: rgb.width,
            height: rgb.height,
            channels: 3,
          },
        };
      })),
      ...(await casesOf(ctx, 'raw', 'raw-bad-geometry', RAW_SURFACES, (rng) => {
        const field = rng.pick(['width', 'height', 'channels'] as const);
        const value = rng.pick(BAD_DIMENSIONS);
        const geometry: Record<string, unknown> = { width: rgb.width, height: rgb.height, channels: 3, [field]: value };
        if (field === 'channels' && rng.next() < 0.5) geometry.channels = rng.pick([5, 16, 255]);
        return {
          what: `raw frame with ${field} = ${String(geometry[field])}`,
          expect: 'error',
          input: {
            type: 'raw',
            bytes: rgb.data,
            width: geometry.width,
            height: geometry.height,
            channels: geometry.channels,
          },
        };
      })),
      ...(await casesOf(ctx, 'raw', 'raw-huge-claim', RAW_SURFACES, (rng) => {
        const [w, h] = rng.pick([
          [100000, 100000],
          [65536, 65536],
          [1, 2 ** 31],
        ]);
        return {
          what: `raw frame claiming ${w}×${h}×3 with ${length} bytes`,
          expect: 'error',
          input: { type: 'raw', bytes: rgb.data, width: w, height: h, channels: 3 },
        };
      })),
      ...(await casesOf(ctx, 'raw', 'raw-valid', RAW_SURFACES, (rng) => {
        const channels = rng.pick([1, 3, 4]);
        const data = Buffer.alloc(rgb.width * rgb.height * channels, 255);
        for (let p = 0; p < rgb.width * rgb.height; p++) {
          if (channels === 1)
            data[p] = Math.round(
              (rgb.data[p * 3] * 299 + rgb.data[p * 3 + 1] * 587 + rgb.data[p * 3 + 2] * 114) / 1000,
            );
          else for (let c = 0; c < 3; c++) data[p * channels + c] = rgb.data[p * 3 + c];
        }
        return {
          what: `a correct ${rgb.width}×${rgb.height}×${channels} raw frame`,
          expect: 'ok',
          label: channels === 1 ? undefined : 'macaw',
          input: { type: 'raw', bytes: data, width: rgb.width, height: rgb.height, channels },
        };
      })),
    ];
  },
};
