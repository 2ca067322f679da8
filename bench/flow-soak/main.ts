/**
 * `npm run soak -- --frames N [--json]`: the whole pipeline inside Node-RED for N camera frames.
 * Prints a summary; with --json the last line is one JSON object (frames, tensorsDelta,
 * rssGrowthPct, lost, crashes and the rest). Options: --model <dir|.tflite>, --backend <name>,
 * --warmup <frames>, --queue <size>, --window <frames>.
 */
import { V1_025_LAYERS_DIR } from '../../fixtures';
import { runSoak, type SoakReport } from './run-soak';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

function count(name: string, fallback: number, min: number): number {
  const raw = option(name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${raw}`);
  return value;
}

function summary(r: SoakReport): string {
  return [
    `frames       ${r.framesIn} in, ${r.framesOut} published, ${r.droppedByPolicy} dropped by policy, ${r.errors} ` +
      `errors, ${r.lost} lost, ${r.crashes} crashes${r.stalled ? ' (STALLED)' : ''}`,
    `speed        ${r.fps} frames/s over ${r.seconds} s after ${r.warmupFrames} warm-up frames (${r.model}, ` +
      `${r.backend})`,
    `tensors      ${r.tensorsStart} after warm-up, ${r.tensorsEnd} at the end (delta ${r.tensorsDelta})`,
    `rss          ${r.rssWarmMb} MB after warm-up, ${r.rssEndMb} MB at the end (${r.rssGrowthPct}%), max ` +
      `${r.rssMaxMb} MB; heap ${r.heapWarmMb} -> ${r.heapEndMb} MB`,
    `event loop   delay p50 ${r.loopDelayP50Ms} ms, p99 ${r.loopDelayP99Ms} ms, max ${r.loopDelayMaxMs} ms`,
    `threads/fds  ${r.threadsStart} -> ${r.threadsEnd} threads, ${r.fdsStart} -> ${r.fdsEnd} file descriptors; ` +
      `camera connections ${r.cameraConnections}`,
    ...Object.entries(r.firstErrors).map(([k, v]) => `first error  ${k}: ${v}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const frames = count('frames', 10000, 1);
  const queueSize = count('queue', 4, 1);
  const report = await runSoak({
    frames,
    warmup: count('warmup', Math.min(500, Math.max(1, Math.floor(frames / 5))), 1),
    modelPath: option('model', V1_025_LAYERS_DIR),
    backend: option('backend', 'auto'),
    queueSize,
    window: count('window', queueSize, 1),
    stallMs: count('stall-ms', 30000, 1000),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(summary(report));
  if (process.argv.includes('--json')) console.log(JSON.stringify(report));
}

main().then(
  // Node-RED keeps a few timers of its own after stop(); the soak is over, so leave now.
  () => process.exit(0),
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
