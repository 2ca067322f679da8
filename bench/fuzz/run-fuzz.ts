import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_128_QUANT_TFLITE, readImage } from '../../fixtures';
import { freePort, startAedes, type AedesBroker } from '../../test/mqtt/helpers/brokers';
import { FAMILIES } from './families';
import type { GoodFrame } from './protocol';
import type { Bounds, SurfaceRunner } from './surface';
import { CliSurface } from './surface-cli';
import { HttpSurface } from './surface-http';
import { IpcSurface } from './surface-ipc';
import { Tally, type Counts, type Failure } from './tally';
import { SURFACES, type FuzzCase, type GeneratorContext, type Surface } from './types';

export interface FuzzOptions {
  seed: number;
  casesPerKind: number;
  surfaces?: Surface[];
  /** Only kinds whose name matches (substring). */
  kinds?: string[];
  bounds?: Partial<Bounds>;
  /** The model every surface loads (default the 0.25/128 quantised V1 fixture: small and fast). */
  model?: string;
  /** Progress lines (stderr in the CLI). */
  log?(line: string): void;
}

export interface SurfaceReport extends Counts {
  steadyRssMb: number;
  peakRssMb: number;
  restarts?: number;
}

export interface FuzzReport extends Counts {
  seed: number;
  casesPerKind: number;
  kinds: number;
  cases: number;
  peakRssMb: number;
  steadyRssMb: number;
  /** The worst surface's peak over its steady state (target ≤ 2). */
  rssRatio: number;
  rssSurface: Surface | null;
  durationS: number;
  surfaces: Partial<Record<Surface, SurfaceReport>>;
  failures: Failure[];
}

export const DEFAULT_BOUNDS: Bounds = { caseMs: 10_000, startMs: 60_000, maxRssMb: 1024, maxOldSpaceMb: 768 };

/** Photos with the label every fixture model gives them (../shared/images/SOURCES.md). */
const GOOD: Array<{ file: string; label: string }> = [
  { file: 'parrot.jpg', label: 'macaw' },
  { file: 'coffee.png', label: 'espresso' },
];

async function withBrokers<T>(work: (brokers: GeneratorContext['brokers']) => Promise<T>): Promise<T> {
  const plain = await startAedes();
  let auth: AedesBroker | undefined;
  try {
    auth = await startAedes({
      // Nobody's password is right: the wrong-credentials cases are all refused.
      authenticate: (_client, _username, _password, done) =>
        done(Object.assign(new Error('bad user name or password'), { returnCode: 4 }) as never, false),
    });
    return await work({ plainUrl: plain.url, authUrl: auth.url, closedPort: await freePort() });
  } finally {
    await auth?.stop();
    await plain.stop();
  }
}

export async function generateCases(ctx: GeneratorContext, kinds?: string[]): Promise<FuzzCase[]> {
  const cases: FuzzCase[] = [];
  for (const family of FAMILIES) {
    if (kinds && !family.kinds.some((k) => kinds.some((wanted) => k.includes(wanted)))) continue;
    cases.push(...(await family.generate(ctx)));
  }
  return kinds ? cases.filter((c) => kinds.some((wanted) => c.kind.includes(wanted))) : cases;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const bounds: Bounds = { ...DEFAULT_BOUNDS, ...options.bounds };
  const model = options.model ?? V1_025_128_QUANT_TFLITE;
  const wanted = options.surfaces ?? [...SURFACES];
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-fuzz-'));
  const removeTmp = (): void => fs.rmSync(tmpDir, { recursive: true, force: true });
  process.once('exit', removeTmp);
  const photos = Object.fromEntries(
    ['parrot.jpg', 'coffee.png', 'dragonfly.bmp', 'owl.jpg', 'hot_dog.jpg', 'rocket.jpg'].map((f) => [f, readImage(f)]),
  );
  const goodFrames: GoodFrame[] = GOOD.map((g) => ({ bytes: photos[g.file], label: g.label }));
  const tally = new Tally();
  try {
    return await withBrokers(async (brokers) => {
      const ctx: GeneratorContext = { seed: options.seed, casesPerKind: options.casesPerKind, tmpDir, photos, brokers };
      const cases = (await generateCases(ctx, options.kinds)).filter((c) => c.surfaces.some((s) => wanted.includes(s)));
      log(
        `fuzz: seed ${options.seed}, ${cases.length} cases of ${new Set(cases.map((c) => c.kind)).size} kinds ` +
          `generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      const fileDir = path.join(tmpDir, 'files');
      fs.mkdirSync(fileDir, { recursive: true });
      const runners: SurfaceRunner[] = [];
      const all: Record<Surface, () => SurfaceRunner> = {
        library: () => new IpcSurface('library', 'child-library.js', { model, fileDir }, goodFrames, bounds),
        node: () => new IpcSurface('node', 'child-node-red.js', { model, fileDir }, goodFrames, bounds),
        http: () => new HttpSurface(model, path.join(tmpDir, 'http'), freePort, goodFrames, bounds),
        cli: () => new CliSurface(model, path.join(tmpDir, 'cli'), goodFrames, bounds),
      };
      for (const surface of wanted) if (cases.some((c) => c.surfaces.includes(surface))) runners.push(all[surface]());
      try {
        await Promise.all(
          runners.map(async (runner) => {
            await runner.start();
            log(`fuzz: ${runner.name} ready, steady RSS ${runner.steadyMb.toFixed(0)} MB`);
            let n = 0;
            for (const fuzzCase of cases) {
              if (!fuzzCase.surfaces.includes(runner.name)) continue;
              const good = goodFrames[n++ % goodFrames.length];
              const outcome = await runner.run(fuzzCase, good);
              const problems = tally.add(runner.name, fuzzCase, outcome, good.label);
              if (process.env.FUZZ_TIMES)
                log(
                  `fuzz: ${runner.name} ${fuzzCase.id} ${outcome.result} ${Math.round(outcome.ms)} ms ` +
                    `${(outcome.message ?? outcome.label ?? '').slice(0, 100)}`,
                );
              if (problems.length > 0)
                log(
                  `fuzz: ${runner.name} ${fuzzCase.id} (${fuzzCase.what}): ` +
                    `${problems.join('; ')}${outcome.message ? ` — ${outcome.message.slice(0, 160)}` : ''}`,
                );
            }
          }),
        );
      } finally {
        await Promise.all(runners.map((r) => r.stop().catch(() => undefined)));
      }
      const surfaces: FuzzReport['surfaces'] = {};
      let worst: { surface: Surface; ratio: number; peak: number; steady: number } | undefined;
      for (const runner of runners) {
        const counts = tally.bySurface.get(runner.name);
        if (!counts) continue;
        const peak = Math.max(runner.peakMb(), runner.steadyMb);
        const restarts = (runner as { restarts?: number }).restarts;
        surfaces[runner.name] = {
          ...counts,
          steadyRssMb: Math.round(runner.steadyMb),
          peakRssMb: Math.round(peak),
          ...(restarts !== undefined ? { restarts } : {}),
        };
        const ratio = runner.steadyMb > 0 ? peak / runner.steadyMb : 0;
        if (!worst || ratio > worst.ratio) worst = { surface: runner.name, ratio, peak, steady: runner.steadyMb };
      }
      return {
        seed: options.seed,
        casesPerKind: options.casesPerKind,
        kinds: new Set(cases.map((c) => c.kind)).size,
        cases: cases.length,
        ...tally.total(),
        peakRssMb: Math.round(worst?.peak ?? 0),
        steadyRssMb: Math.round(worst?.steady ?? 0),
        rssRatio: Math.round((worst?.ratio ?? 0) * 100) / 100,
        rssSurface: worst?.surface ?? null,
        durationS: Math.round((performance.now() - started) / 100) / 10,
        surfaces,
        failures: tally.failures,
      };
    });
  } finally {
    removeTmp();
    process.off('exit', removeTmp);
  }
}
