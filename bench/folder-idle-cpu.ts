/**
 * Idle CPU of a watched frames folder: N images already in the folder, nothing new arriving,
 * the source in watch mode as `npm start` runs it (check interval 0.5 s). Prints the share of
 * one core the process used over the measuring window, from process.cpuUsage().
 *
 *   npm run build && node dist/bench/folder-idle-cpu.js [--files 5000,20000] [--seconds 10] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFrameSource } from '../src/frames';

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A tiny but complete JPEG (SOI ... EOI): the watcher's cost does not depend on the bytes. */
const TINY_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]);

async function idleCpu(
  files: number,
  seconds: number,
): Promise<{ files: number; seconds: number; cpuPercent: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-idle-cpu-'));
  try {
    for (let i = 0; i < files; i++)
      fs.writeFileSync(path.join(dir, `frame-${String(i).padStart(6, '0')}.jpg`), TINY_JPEG);
    // Keep everything: the bench measures watching, not deleting.
    const source = createFrameSource({
      kind: 'folder',
      dir,
      mode: 'watch',
      intervalMs: 500,
      source: 'bench',
      retention: { policy: 'keep' },
    });
    source.on('error', () => undefined);
    source.start();
    await sleep(2000); // start-up (the first listing) is not idle time
    const before = process.cpuUsage();
    const startedAt = performance.now();
    await sleep(seconds * 1000);
    const used = process.cpuUsage(before);
    const elapsedMs = performance.now() - startedAt;
    await source.stop();
    const cpuPercent = Math.round(((used.user + used.system) / 1000 / elapsedMs) * 1000) / 10;
    return { files, seconds, cpuPercent };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const counts = argument('files', '5000,20000').split(',').map(Number);
  const seconds = Number(argument('seconds', '10'));
  const results = [];
  for (const files of counts) {
    const result = await idleCpu(files, seconds);
    results.push(result);
    if (!process.argv.includes('--json'))
      console.log(`${files} files: ${result.cpuPercent}% of one core over ${seconds} s idle`);
  }
  if (process.argv.includes('--json')) console.log(JSON.stringify(results));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
