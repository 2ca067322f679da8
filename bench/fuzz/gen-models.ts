import * as fs from 'node:fs';
import * as path from 'node:path';
import { V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR } from '../../fixtures';
import { casesOf } from './gen-common';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext, Surface } from './types';

/**
 * Model files damaged on disk or in transit: copies of the fixture models made in the run's temp
 * dir and broken there (the fixtures themselves are read-only and never touched).
 */

const MODEL_SURFACES: Surface[] = ['library', 'node'];

function flip(rng: Rng, bytes: Buffer, flips: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < flips; i++) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
  return out;
}

interface Manifest {
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
}

/** A copy of the layers model folder to break; shards are hard links unless the case rewrites them. */
function copyLayersModel(into: string): string {
  fs.mkdirSync(into, { recursive: true });
  for (const file of fs.readdirSync(V1_025_LAYERS_DIR)) {
    const from = path.join(V1_025_LAYERS_DIR, file);
    if (!fs.statSync(from).isFile()) continue;
    fs.copyFileSync(from, path.join(into, file));
  }
  return into;
}

export const modelsFamily: Family = {
  name: 'model',
  kinds: [
    'tflite-truncated',
    'tflite-bitflip',
    'tflite-garbage',
    'modeljson-bitflip',
    'modeljson-truncated',
    'shard-missing',
    'shard-damaged',
    'weights-shape-wrong',
  ],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const tflite = fs.readFileSync(V1_025_128_QUANT_TFLITE);
    const root = path.join(ctx.tmpDir, 'models');
    const tfliteCase = (
      kind: string,
      expect: 'error' | 'either',
      make: (rng: Rng) => { bytes: Buffer; what: string },
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'model', kind, MODEL_SURFACES, (rng, n) => {
        const { bytes, what } = make(rng);
        const file = path.join(root, `${kind}-${n}`, 'model.tflite');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, bytes);
        return { what, expect, input: { type: 'model', path: file } };
      });
    const layersCase = (
      kind: string,
      expect: 'error' | 'either',
      breakIt: (rng: Rng, dir: string, manifest: Manifest) => string,
    ): Promise<FuzzCase[]> =>
      casesOf(ctx, 'model', kind, MODEL_SURFACES, (rng, n) => {
        const dir = copyLayersModel(path.join(root, `${kind}-${n}`));
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Manifest;
        const what = breakIt(rng, dir, manifest);
        return { what, expect, input: { type: 'model', path: dir } };
      });
    const shards = (manifest: Manifest): string[] => manifest.weightsManifest.flatMap((g) => g.paths);
    return [
      ...(await tfliteCase('tflite-truncated', 'error', (rng) => {
        const at = rng.int(0, tflite.length - 1);
        return { bytes: tflite.subarray(0, at), what: `.tflite cut at byte ${at} of ${tflite.length}` };
      })),
      ...(await tfliteCase('tflite-bitflip', 'either', (rng) => {
        const flips = rng.int(1, 64);
        // Half the cases hit the flatbuffer tables at the front, where offsets and shapes live.
        const head = rng.next() < 0.5;
        const bytes = head
          ? Buffer.concat([flip(rng, tflite.subarray(0, 4096), flips), tflite.subarray(4096)])
          : flip(rng, tflite, flips);
        return { bytes, what: `.tflite with ${flips} bits flipped${head ? ' in its first 4 KB' : ''}` };
      })),
      ...(await tfliteCase('tflite-garbage', 'error', (rng) => {
        const size = rng.pick([0, 4, 8, rng.int(9, 100000)]);
        return { bytes: rng.bytes(size), what: `a .tflite of ${size} random bytes` };
      })),
      ...(await layersCase('modeljson-bitflip', 'either', (rng, dir) => {
        const file = path.join(dir, 'model.json');
        const flips = rng.int(1, 16);
        fs.writeFileSync(file, flip(rng, fs.readFileSync(file), flips));
        return `model.json with ${flips} bits flipped`;
      })),
      ...(await layersCase('modeljson-truncated', 'error', (rng, dir) => {
        const file = path.join(dir, 'model.json');
        const bytes = fs.readFileSync(file);
        const at = rng.int(0, bytes.length - 1);
        fs.writeFileSync(file, bytes.subarray(0, at));
        return `model.json cut at byte ${at} of ${bytes.length}`;
      })),
      ...(await layersCase('shard-missing', 'error', (rng, dir, manifest) => {
        const shard = rng.pick(shards(manifest));
        fs.rmSync(path.join(dir, shard));
        return `weights shard ${shard} missing`;
      })),
      ...(await layersCase('shard-damaged', 'either', (rng, dir, manifest) => {
        const shard = rng.pick(shards(manifest));
        const file = path.join(dir, shard);
        const bytes = fs.readFileSync(file);
        const how = rng.next();
        if (how < 0.34) {
          const flips = rng.int(1, 64);
          fs.writeFileSync(file, flip(rng, bytes, flips));
          return `weights shard ${shard} with ${flips} bits flipped`;
        }
        if (how < 0.67) {
          const at = rng.int(0, bytes.length - 1);
          fs.writeFileSync(file, bytes.subarray(0, at));
          return `weights shard ${shard} cut at byte ${at} of ${bytes.length}`;
        }
        fs.writeFileSync(file, Buffer.concat([bytes, rng.bytes(rng.int(1, 4096))]));
        return `weights shard ${shard} with bytes appended`;
      })),
      ...(await layersCase('weights-shape-wrong', 'error', (rng, dir, manifest) => {
        const group = rng.pick(manifest.weightsManifest);
        const weight = rng.pick(group.weights);
        const before = JSON.stringify(weight.shape);
        weight.shape = rng.pick([
          [2 ** 31],
          [...weight.shape, 2],
          weight.shape.map((d) => d * 2),
          [0],
          [-1, 3],
          weight.shape.slice(1),
        ]);
        fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest));
        return `weight ${weight.name} declared ${JSON.stringify(weight.shape)} instead of ${before}`;
      })),
    ];
  },
};
