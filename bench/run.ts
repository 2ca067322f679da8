/**
 * `npm run bench`: speed and memory, measured side by side in one run. First `mobilenet bench`'s
 * child-process measurements with the fixtures and the peer library (tables, JSON and chart into
 * --out DIR, default scratch/bench), then the in-process benches below (--measure-only skips
 * them; --quick makes the first part a smoke test; --no-peer leaves the peer out, --no-grid the grid). Prints a table
 * and, with --json, one JSON object as the last line. Quote medians and ratios from one run: the
 * machines are shared.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchImage } from './image';
import { benchMemory } from './memory';
import { benchPipeline } from './pipeline';
import { benchPool } from './pool';
import { measureSuite } from './measure-suite';
import { benchSoak } from './soak';
import { benchStartup } from './startup';

type Bench = () => Promise<Record<string, unknown>>;

async function optionalBench(file: string, exportName: string): Promise<Bench | undefined> {
  const modulePath = path.join(__dirname, `${file}.js`);
  if (!fs.existsSync(modulePath)) return undefined;
  const loaded = require(modulePath) as Record<string, Bench>;
  return loaded[exportName];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const outIndex = argv.indexOf('--out');
  const out = path.resolve(outIndex >= 0 ? argv[outIndex + 1] : path.join(__dirname, '..', '..', 'scratch', 'bench'));
  const results: Record<string, unknown> = {
    machine:
      `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `Node ${process.version}`,
    loadavg_at_start: os.loadavg()[0].toFixed(2),
  };
  process.stderr.write(`bench: mobilenet bench with the fixtures and the peer → ${out}\n`);
  const measured = await measureSuite({
    quick: argv.includes('--quick'),
    out,
    peer: !argv.includes('--no-peer'),
    grid: !argv.includes('--no-grid'),
  });
  const benches: Array<[string, Bench | undefined]> = argv.includes('--measure-only')
    ? []
    : [
        ['startup', () => benchStartup()],
        ['image', () => benchImage()],
        ['pipeline', () => benchPipeline()],
        ['pool', () => benchPool()],
        ['memory', () => benchMemory()],
        ['tflite', await optionalBench('tflite', 'benchTflite')],
        ['int8', await optionalBench('int8', 'benchInt8')],
        ['state', await optionalBench('state-watch', 'benchStateWatch')],
        ['labelset', await optionalBench('labelset', 'benchLabelSet')],
        ['soak', () => benchSoak()],
      ];
  for (const [name, bench] of benches) {
    if (!bench) continue;
    process.stderr.write(`bench: ${name}…\n`);
    Object.assign(results, await bench());
  }
  results.loadavg_at_end = os.loadavg()[0].toFixed(2);
  // A headline figure the measure suite could not take (null) keeps the in-process bench's (bench/pool.ts).
  for (const [key, value] of Object.entries(measured.summary)) {
    if (value !== null || results[key] === undefined) results[key] = value;
  }
  if (json) {
    console.log(JSON.stringify(results));
    return;
  }
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  for (const [key, value] of Object.entries(results)) {
    console.log(
      `${key.padEnd(width)}  ` +
        `${typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : String(value)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
