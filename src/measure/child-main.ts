/**
 * One measurement in a process of its own (started by run-child.ts): load the model, classify the
 * frame, report. A fresh process per configuration keeps one model's memory, JIT state and
 * worker threads out of the next one's figures.
 */
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Classifier, type ClassifierOptions } from '../runner/classifier';
import { toError } from '../to-error';
import type { ChildReply, FrameJob, FrameMeasurement } from './job';
import { spread } from './stats';

const MB = 1e6;

async function measure(job: FrameJob): Promise<FrameMeasurement> {
  const jpeg = fs.readFileSync(job.jpegPath);
  const started = performance.now();
  const classifier = await Classifier.load({
    model: job.model,
    queuePolicy: 'wait',
    queueSize: Math.max(4, job.saturateFrames ?? 0),
    ...job.options,
  } as ClassifierOptions);
  try {
    const rssAfterLoadMb = process.memoryUsage().rss / MB;
    await classifier.classify(jpeg, { topK: 5 });
    const firstLabelNs = process.hrtime.bigint();
    const loadAndFirstMs = performance.now() - started;
    const coldStartMs = Number(firstLabelNs - BigInt(job.spawnedAtNs)) / 1e6;
    let classified = 1;
    for (let i = 0; i < job.warmup; i++, classified++) await classifier.classify(jpeg, { topK: 5 });
    const total: number[] = [];
    const preprocess: number[] = [];
    const queue: number[] = [];
    const inference: number[] = [];
    for (let i = 0; i < job.runs; i++, classified++) {
      const { timings } = await classifier.classify(jpeg, { topK: 5 });
      total.push(timings.totalMs);
      preprocess.push(timings.preprocessMs);
      queue.push(timings.queueMs);
      inference.push(timings.inferenceMs);
    }
    for (; classified < job.framesForRss; classified++) await classifier.classify(jpeg, { topK: 5 });
    const rssAfterFramesMb = process.memoryUsage().rss / MB;
    const info = classifier.info as typeof classifier.info & { engine?: string };
    const result: FrameMeasurement = {
      engine: info.engine ?? 'tfjs',
      backend: info.backend,
      mode: info.mode,
      inputSize: info.inputSize.width,
      coldStartMs,
      loadAndFirstMs,
      totalMs: spread(total),
      preprocessMs: spread(preprocess),
      queueMs: spread(queue),
      inferenceMs: spread(inference),
      rssAfterLoadMb,
      rssAfterFramesMb,
      framesForRss: classified,
    };
    if (job.saturateFrames) {
      // Every frame queued at once: the queue never runs dry, so this is the classifier's ceiling,
      // and the main thread's delay is what a Node-RED flow would feel meanwhile.
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      const begun = performance.now();
      await Promise.all(Array.from({ length: job.saturateFrames }, () => classifier.classify(jpeg, { topK: 1 })));
      const elapsed = performance.now() - begun;
      histogram.disable();
      result.saturated = {
        frames: job.saturateFrames,
        fps: job.saturateFrames / (elapsed / 1000),
        eventLoopP99Ms: histogram.percentile(99) / 1e6,
      };
    }
    return result;
  } finally {
    await classifier.dispose();
  }
}

function reply(message: ChildReply): Promise<void> {
  return new Promise((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else {
      console.log(JSON.stringify(message));
      resolve();
    }
  });
}

const job = JSON.parse(process.argv[2] ?? '{}') as FrameJob;
measure(job)
  .then(
    (result) => reply({ ok: true, result }),
    (error: unknown) => reply({ ok: false, error: toError(error).message }),
  )
  .finally(() => {
    process.disconnect?.();
  });
