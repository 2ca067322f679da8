import sharp from 'sharp';
import { Classifier, classifierDiagnostics } from '../src/runner/classifier';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';

/**
 * Memory over a long run: 4,000 camera frames through one classifier, sampling the process's RSS
 * and heap after each 250. A leak shows as steady growth after the first samples (allocator
 * warm-up); flat numbers are what a Pi running for months needs.
 */
export async function benchSoak(frames = 4000): Promise<Record<string, number>> {
  const jpeg = await sharp(readImage('cat_720p.jpg'))
    .resize(640, 480, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
  const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait', queueSize: 4 });
  const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  const samples: Array<{ rss: number; heap: number; tensors: number }> = [];
  try {
    for (let done = 0; done < frames; done += 250) {
      await Promise.all(Array.from({ length: 250 }, () => classifier.classify(jpeg, { topK: 5 })));
      const memory = process.memoryUsage();
      samples.push({
        rss: mb(memory.rss),
        heap: mb(memory.heapUsed),
        tensors: (await classifierDiagnostics.workerMemory(classifier)).numTensors,
      });
    }
  } finally {
    await classifier.dispose();
  }
  // After the first 500 frames (allocator warm-up): RSS moves with sharp/libvips' native pools, so
  // its range is what to watch; the JS heap and the worker's tensor count must stay put.
  const settled = samples.slice(1);
  const rss = settled.map((x) => x.rss);
  return {
    'soak.frames': frames,
    'soak.rss_mb_min_after_500': Math.min(...rss),
    'soak.rss_mb_max_after_500': Math.max(...rss),
    'soak.rss_mb_at_end': settled[settled.length - 1].rss,
    'soak.heap_mb_after_500': settled[0].heap,
    'soak.heap_mb_at_end': settled[settled.length - 1].heap,
    'soak.worker_tensors_after_500': settled[0].tensors,
    'soak.worker_tensors_at_end': settled[settled.length - 1].tensors,
  };
}
