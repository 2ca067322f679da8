/**
 * `npm run bench`: speed and memory, measured side by side in one run. Prints a table and, with
 * --json, one JSON object. Quote medians and ratios from one run: the machines are shared.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchImage } from './image';
import { benchPipeline } from './pipeline';
import { benchSoak } from './soak';

type Bench = () => Promise<Record<string, unknown>>;

async function optionalBench(file: string, exportName: string): Promise<Bench | undefined> {
  const modulePath = path.join(__dirname, `${file}.js`);
  if (!fs.existsSync(modulePath)) return undefined;
  const loaded = require(modulePath) as Record<string, Bench>;
  return loaded[exportName];
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const results: Record<string, unknown> = {
    machine:
      `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `Node ${process.version}`,
    loadavg_at_start: os.loadavg()[0].toFixed(2),
  };
  const benches: Array<[string, Bench | undefined]> = [
    ['image', () => benchImage()],
    ['pipeline', () => benchPipeline()],
    ['tflite', await optionalBench('tflite', 'benchTflite')],
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
