import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { Classifier } from '../src/runner/classifier';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { median } from './stats';

async function cameraFrame(): Promise<Buffer> {
  return sharp(readImage('cat_720p.jpg')).resize(640, 480, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
}

/**
 * One 640×480 JPEG → labels with the V1 0.25 model, split into preprocess and inference, run as
 * the fused graph and as the plain layers model side by side; plus the main event loop's delay
 * while 100 frames are classified.
 */
export async function benchPipeline(runs = 40): Promise<Record<string, number | string>> {
  const jpeg = await cameraFrame();
  const results: Record<string, number | string> = {};
  for (const [mode, unfused] of [
    ['fused', false],
    ['layers', true],
  ] as const) {
    const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, unfused, queuePolicy: 'wait' });
    try {
      results.backend = classifier.info.backend;
      for (let i = 0; i < 5; i++) await classifier.classify(jpeg);
      const total: number[] = [];
      const preprocess: number[] = [];
      const inference: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { timings } = await classifier.classify(jpeg, { topK: 5 });
        total.push(timings.totalMs);
        preprocess.push(timings.preprocessMs);
        inference.push(timings.inferenceMs);
      }
      results[`v1_0.25_224.${mode}.frame_total_ms`] = median(total);
      results[`v1_0.25_224.${mode}.preprocess_ms`] = median(preprocess);
      results[`v1_0.25_224.${mode}.inference_ms`] = median(inference);
      if (mode === 'fused') {
        const histogram = monitorEventLoopDelay({ resolution: 5 });
        histogram.enable();
        const started = performance.now();
        await Promise.all(Array.from({ length: 100 }, () => classifier.classify(jpeg, { topK: 1 })));
        const elapsed = performance.now() - started;
        histogram.disable();
        results['event_loop_delay_during_100_frames.p50_ms'] = histogram.percentile(50) / 1e6;
        results['event_loop_delay_during_100_frames.p99_ms'] = histogram.percentile(99) / 1e6;
        results['throughput_100_frames.fps'] = 100 / (elapsed / 1000);
      }
    } finally {
      await classifier.dispose();
    }
  }
  results['v1_0.25_224.fused_speedup_inference'] =
    (results['v1_0.25_224.layers.inference_ms'] as number) / (results['v1_0.25_224.fused.inference_ms'] as number);
  return results;
}
