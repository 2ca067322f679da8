import * as os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { Classifier } from '../src/runner/classifier';
import { V2_QUANT_TFLITE, readImage } from '../fixtures';
import { median } from './stats';

const PHOTOS = ['cat_720p.jpg', 'parrot.jpg', 'hot_dog.jpg', 'owl.jpg', 'rocket.jpg'];
const FRAMES = 100;

/** 640×480 camera-like JPEGs made from the fixture photos. */
async function cameraFrames(): Promise<Buffer[]> {
  return Promise.all(
    PHOTOS.map((photo) => sharp(readImage(photo)).resize(640, 480, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer()),
  );
}

interface Round {
  fps: number;
  eventLoopP99Ms: number;
  heldForOrder: number;
  /** Median time of one pass through the network, as the workers measured it. */
  inferenceMs: number;
}

/** 100 JPEGs queued at once; wall time until the last result, and the main loop's delay meanwhile. */
async function round(classifier: Classifier, frames: Buffer[]): Promise<Round> {
  const heldBefore = classifier.stats().heldForOrder;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  const done = await Promise.all(
    Array.from({ length: FRAMES }, (_, i) => classifier.classify(frames[i % frames.length])),
  );
  const elapsed = performance.now() - started;
  histogram.disable();
  return {
    fps: FRAMES / (elapsed / 1000),
    eventLoopP99Ms: histogram.percentile(99) / 1e6,
    heldForOrder: classifier.stats().heldForOrder - heldBefore,
    inferenceMs: median(done.map((result) => result.timings.inferenceMs)),
  };
}

/**
 * The worker pool: throughput of 100 queued 640×480 JPEGs through an inference-bound model (V2 1.0
 * uint8 `.tflite`, ~10× the preprocessing time) with 2 workers against 1, in interleaved rounds
 * (1, 2, 1, 2, …) so both see the same machine load; and the main thread's event-loop delay p99
 * while 2 workers are saturated. The figure to quote is the ratio of medians, with the load average.
 */
export async function benchPool(rounds = 3): Promise<Record<string, number | string>> {
  const results = await poolOn(undefined, rounds);
  // The same on LiteRT, when this build has it: the engine the pool is meant to multiply.
  try {
    const litert = await poolOn('litert', rounds);
    for (const [key, value] of Object.entries(litert)) results[`pool.litert.${key.replace(/^pool\./, '')}`] = value;
  } catch (error) {
    results['pool.litert'] = `not measured: ${error instanceof Error ? error.message : String(error)}`;
  }
  return results;
}

async function poolOn(engine: 'litert' | undefined, rounds: number): Promise<Record<string, number | string>> {
  const frames = await cameraFrames();
  const loaded = new Map<number, Classifier>();
  const results: Record<number, Round[]> = { 1: [], 2: [] };
  const loadBefore = os.loadavg()[0];
  let ran = '';
  try {
    for (const workers of [1, 2]) {
      const classifier = await Classifier.load({
        model: V2_QUANT_TFLITE,
        workers,
        queueSize: FRAMES,
        queuePolicy: 'wait',
        ...(engine ? { engine } : {}),
      });
      loaded.set(workers, classifier);
      ran = `${classifier.info.engine}, ${classifier.info.backend}, ${classifier.info.mode}`;
      // Warm-up: every worker has run frames before anything is timed.
      await Promise.all(Array.from({ length: 4 * workers }, (_, i) => classifier.classify(frames[i % frames.length])));
    }
    for (let r = 0; r < rounds; r++) {
      for (const workers of [1, 2]) results[workers].push(await round(loaded.get(workers) as Classifier, frames));
    }
  } finally {
    await Promise.all([...loaded.values()].map((c) => c.dispose()));
  }
  const fps1 = median(results[1].map((r) => r.fps));
  const fps2 = median(results[2].map((r) => r.fps));
  return {
    'pool.v2_1.0_224_quant.engine': ran,
    'pool.v2_1.0_224_quant.fps_1_worker': fps1,
    'pool.v2_1.0_224_quant.fps_2_workers': fps2,
    throughputSpeedup2Workers: fps2 / fps1,
    'pool.inference_ms_1_worker': median(results[1].map((r) => r.inferenceMs)),
    'pool.inference_ms_2_workers': median(results[2].map((r) => r.inferenceMs)),
    eventLoopP99Ms: median(results[2].map((r) => r.eventLoopP99Ms)),
    'pool.event_loop_p99_ms_1_worker': median(results[1].map((r) => r.eventLoopP99Ms)),
    'pool.held_for_order_per_100_frames_2_workers': median(results[2].map((r) => r.heldForOrder)),
    'pool.loadavg_before': loadBefore,
    'pool.loadavg_after': os.loadavg()[0],
  };
}

if (require.main === module) {
  benchPool()
    .then((results) => console.log(JSON.stringify(results)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
