import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cameraFrame } from '../src/measure/frame';
import { runChild } from '../src/measure/run-child';
import { V1_025_LAYERS_DIR } from '../fixtures';
import { median } from './stats';
import { printWhenRunDirectly } from './run-directly';

/**
 * Where a runner process's memory goes: fresh processes (the bench's child, as `npm start` loads the model) with
 * V1 0.25/224 on each engine, RSS after load and after `frames` frames, with glibc's default malloc arenas and
 * with `MALLOC_ARENA_MAX=2` (the systemd unit's setting: glibc otherwise gives each thread that allocates, up to
 * 8 per core, an arena of its own: the inference worker, libuv's pool running sharp, libvips's threads).
 * Interleaved, `repeats` processes per configuration, medians.
 */
export async function benchMemory(frames = 2000, repeats = 3): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  const jpegPath = path.join(dir, 'frame-640x480.jpg');
  fs.writeFileSync(jpegPath, await cameraFrame());
  const configurations = ['litert', 'tfjs'].flatMap((engine) =>
    [
      { name: 'default', env: withoutArenaMax() },
      { name: 'arena_max_2', env: { ...withoutArenaMax(), MALLOC_ARENA_MAX: '2' } },
    ].map((variant) => ({ key: `${engine}.${variant.name}`, engine, env: variant.env })),
  );
  const afterLoad = new Map<string, number[]>();
  const afterFrames = new Map<string, number[]>();
  try {
    for (let round = 0; round < repeats; round++) {
      for (const { key, engine, env } of configurations) {
        const reply = await runChild(
          {
            model: V1_025_LAYERS_DIR,
            options: { engine, workers: 1 },
            jpegPath,
            warmup: 0,
            runs: 1,
            framesForRss: frames,
          },
          { env },
        );
        if (!reply.ok) throw new Error(`${key}: ${reply.error}`);
        afterLoad.set(key, [...(afterLoad.get(key) ?? []), reply.result.rssAfterLoadMb]);
        afterFrames.set(key, [...(afterFrames.get(key) ?? []), reply.result.rssAfterFramesMb]);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const results: Record<string, number> = { 'memory.frames': frames, 'memory.processes_each': repeats };
  for (const { key } of configurations) {
    results[`memory.${key}.rss_after_load_mb`] = Math.round(median(afterLoad.get(key) ?? []));
    results[`memory.${key}.rss_after_frames_mb`] = Math.round(median(afterFrames.get(key) ?? []));
  }
  return results;
}

/** This process's environment without a MALLOC_ARENA_MAX of its own, so "default" is glibc's default. */
function withoutArenaMax(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  return env;
}

printWhenRunDirectly(module, () => benchMemory());
