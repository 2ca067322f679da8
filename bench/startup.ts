/**
 * Start-up cost, side by side in one run: load + first label through this package (`require`, `Classifier.load`,
 * `classify`) against a lean pipeline doing only what the same answer needs on the same engine, each in fresh
 * processes, alternating, medians. Also how long `require` of the package takes and how many modules it loads.
 * `node dist/bench/startup.js [runs]` prints just these; `npm run bench` includes them.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { tfliteFor } from '../src/engine/tflite-for';
import { V1_025_LAYERS_DIR } from '../fixtures';
import { median } from './stats';

type Mode = 'lean' | 'lean-litert' | 'package' | 'package-tfjs';

interface ChildResult {
  mode: Mode;
  ms: number;
  requireMs: number;
  modules: number;
  label: string;
}

function coldStart(mode: Mode, tflite = ''): ChildResult {
  const args = [path.join(__dirname, 'startup-child.js'), mode, tflite];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildResult;
}

/** Counts the modules `require` of the package's main loads, in a fresh process. */
function requireOnly(): { ms: number; modules: number } {
  const main = path.join(__dirname, '..', 'src', 'index.js');
  const script =
    `const t = performance.now(); require(${JSON.stringify(main)}); ` +
    'console.log(JSON.stringify({ ms: performance.now() - t, modules: Object.keys(require.cache).length }))';
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    ms: number;
    modules: number;
  };
}

/** Package ÷ lean: the median of each, and the range of the ratios of runs made one after the other. */
function ratio(name: string, ours: ChildResult[], lean: ChildResult[]): Record<string, number> {
  const pairs = lean.map((r, i) => ours[i].ms / r.ms);
  const oursMs = median(ours.map((r) => r.ms));
  const leanMs = median(lean.map((r) => r.ms));
  return {
    [`startup.${name}.package_ms`]: oursMs,
    [`startup.${name}.lean_ms`]: leanMs,
    [`startup.${name}.package_vs_lean`]: oursMs / leanMs,
    [`startup.${name}.package_vs_lean.min_pair`]: Math.min(...pairs),
    [`startup.${name}.package_vs_lean.max_pair`]: Math.max(...pairs),
  };
}

/**
 * Load + first label through the package against the lean pipeline on the same engine, for both engines: the
 * package on its default engine (LiteRT.js) against sharp + LiteRT.js on the same written `.tflite`, and the package
 * with `engine: 'tfjs'` against sharp + the fused TF.js graph. Fresh processes, the four kinds in turn, medians.
 */
export async function benchStartup(runs = 7): Promise<Record<string, number | string>> {
  const results = new Map<Mode, ChildResult[]>([
    ['lean', []],
    ['package-tfjs', []],
    ['lean-litert', []],
    ['package', []],
  ]);
  const requires: Array<{ ms: number; modules: number }> = [];
  coldStart('package'); // warms the disk cache and writes the model's .tflite (the cache every later start reads)
  const tflite = await tfliteFor(V1_025_LAYERS_DIR);
  for (let i = 0; i < runs; i++) {
    for (const [mode, list] of results) list.push(coldStart(mode, tflite));
    requires.push(requireOnly());
  }
  const all = [...results.values()].flat();
  const label = all[0].label;
  for (const r of all) if (r.label !== label) throw new Error(`labels differ: ${r.mode} said ${r.label}, not ${label}`);
  const of = (mode: Mode): ChildResult[] => results.get(mode) ?? [];
  return {
    'startup.label': label,
    ...ratio('litert', of('package'), of('lean-litert')),
    ...ratio('tfjs', of('package-tfjs'), of('lean')),
    'startup.package_vs_lean': median(of('package').map((r) => r.ms)) / median(of('lean').map((r) => r.ms)),
    'startup.require_package_ms': median(requires.map((r) => r.ms)),
    'startup.require_package_modules': requires[0].modules,
    'startup.runs': runs,
  };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 7);
  const started = os.loadavg()[0];
  benchStartup(runs).then(
    (results) => {
      console.log(`load average ${started.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`);
      for (const [key, value] of Object.entries(results))
        console.log(`${key.padEnd(44)} ${typeof value === 'number' ? value.toFixed(2) : value}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
