/**
 * Start-up cost, side by side in one run: load + first label through this package (`require`, `Classifier.load`,
 * `classify`) against a lean single-thread pipeline (sharp + the same fused graph), each in fresh processes,
 * alternating, medians. Also how long `require` of the package takes and how many modules it loads.
 * `node dist/bench/startup.js [runs]` prints just these; `npm run bench` includes them.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './stats';

interface ChildResult {
  mode: 'lean' | 'package';
  ms: number;
  requireMs: number;
  modules: number;
  label: string;
}

function coldStart(mode: 'lean' | 'package'): ChildResult {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'startup-child.js'), mode], { encoding: 'utf8' });
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

export async function benchStartup(runs = 7): Promise<Record<string, number | string>> {
  const lean: ChildResult[] = [];
  const ours: ChildResult[] = [];
  const requires: Array<{ ms: number; modules: number }> = [];
  coldStart('lean'); // the first process warms the disk cache for both
  for (let i = 0; i < runs; i++) {
    lean.push(coldStart('lean'));
    ours.push(coldStart('package'));
    requires.push(requireOnly());
  }
  for (const r of [...lean, ...ours]) if (r.label !== ours[0].label) throw new Error(`labels differ: ${r.label}`);
  const leanMs = median(lean.map((r) => r.ms));
  const oursMs = median(ours.map((r) => r.ms));
  const ratios = lean.map((r, i) => ours[i].ms / r.ms);
  return {
    'startup.label': ours[0].label,
    'startup.lean.load_and_first_label_ms': leanMs,
    'startup.package.load_and_first_label_ms': oursMs,
    'startup.package_vs_lean': oursMs / leanMs,
    'startup.package_vs_lean.min_pair': Math.min(...ratios),
    'startup.package_vs_lean.max_pair': Math.max(...ratios),
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
