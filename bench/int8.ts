import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { compileGraph } from '../src/engine/compile-graph';
import { quantizeGraphToInt8 } from '../src/engine/int8/quantize-graph';
import { prepareImage } from '../src/image';
import { layersModelToGraph } from '../src/model/layers-to-graph';
import { directoryHandler } from '../src/model/model-files';
import { MINUS_ONE_TO_ONE } from '../src/model/normalization';
import { Classifier } from '../src/runner/classifier';
import { buildMobileNet } from '../src/zoo/build-layers-model';
import { imagenetLabels } from '../src/zoo/imagenet';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import type { TimingReply, TimingRequest } from './litert-timing-worker';
import { median, medianMs } from './stats';

/** The bench's LiteRT.js worker: one compiled model, one request at a time. */
class LiteRtWorker {
  private readonly worker = new Worker(path.join(__dirname, 'litert-timing-worker.js'));

  async request(message: TimingRequest): Promise<TimingReply & { ok: true }> {
    const reply = await new Promise<TimingReply>((resolve, reject) => {
      const fail = (error: Error): void => reject(error);
      this.worker.once('error', fail);
      this.worker.once('message', (answer: TimingReply) => {
        this.worker.off('error', fail);
        resolve(answer);
      });
      this.worker.postMessage(message);
    });
    if (!reply.ok) throw new Error(reply.message);
    return reply;
  }

  async close(): Promise<void> {
    await this.request({ kind: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }
}

/** α=1.0/224 V1 from the architecture builder: int8 on LiteRT.js against the fused TF.js engine, alternating. */
async function alpha1(rounds: number, runs: number): Promise<Record<string, number>> {
  const network = buildMobileNet({ arch: 'v1', alpha: 1, resolution: 224, classes: 1000 }, { seed: 7 });
  const graph = layersModelToGraph(network);
  network.dispose();
  const quantized = await quantizeGraphToInt8(graph, MINUS_ONE_TO_ONE);
  const pixels = Uint8Array.from({ length: 224 * 224 * 3 }, (_, i) => (i * 7919) % 256);
  const input = tf.tensor4d(
    Float32Array.from(pixels, (p) => p / 127.5 - 1),
    [1, 224, 224, 3],
  );
  const executable = compileGraph(graph);
  const litert = new LiteRtWorker();
  const tfjs: number[] = [];
  const int8: number[] = [];
  try {
    await litert.request({ kind: 'compile', bytes: quantized.bytes });
    for (let round = 0; round < rounds; round++) {
      tfjs.push(
        await medianMs(runs, async () => {
          const output = executable.run(input);
          await output.data();
          output.dispose();
        }),
      );
      int8.push((await litert.request({ kind: 'time', input: pixels, runs })).ms as number);
    }
  } finally {
    await litert.close();
    executable.dispose();
    input.dispose();
  }
  const v1Alpha1Int8Ms = median(int8);
  const tfjsMs = median(tfjs);
  return {
    'int8.v1_1.0_224.tfjs_fused_ms': tfjsMs,
    'int8.v1_1.0_224.litert_int8_ms': v1Alpha1Int8Ms,
    'int8.v1_1.0_224.ratio_vs_tfjs': v1Alpha1Int8Ms / tfjsMs,
    v1Alpha1Int8Ms,
  };
}

/** One 640×480 JPEG → top-5 labels: int8 V1 0.25 on LiteRT.js against today's Classifier, alternating. */
async function oneFrame(rounds: number, runs: number): Promise<Record<string, number>> {
  const jpeg = await sharp(readImage('cat_720p.jpg'))
    .resize(640, 480, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
  const model = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
  const graph = layersModelToGraph(model);
  model.dispose();
  const quantized = await quantizeGraphToInt8(graph, MINUS_ONE_TO_ONE);
  const labels = imagenetLabels(1000);
  const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, queuePolicy: 'wait' });
  const litert = new LiteRtWorker();
  const today: number[] = [];
  const int8: number[] = [];
  let agree = true;
  try {
    await litert.request({ kind: 'compile', bytes: quantized.bytes });
    const int8Frame = async (): Promise<string[]> => {
      const prepared = await prepareImage(jpeg, { width: 224, height: 224, fit: 'cover' });
      const { top } = await litert.request({ kind: 'classify', input: prepared.rgb, top: 5 });
      return (top ?? []).map((index) => labels[index]);
    };
    const todayFrame = async (): Promise<string[]> =>
      (await classifier.classify(jpeg, { topK: 5 })).predictions.map((p) => p.label);
    const [int8Labels, todayLabels] = [await int8Frame(), await todayFrame()];
    agree = int8Labels[0] === todayLabels[0];
    if (!agree) {
      process.stderr.write(`int8 bench frame: int8 ${int8Labels.join(' | ')}; today ${todayLabels.join(' | ')}\n`);
    }
    for (let round = 0; round < rounds; round++) {
      today.push(await medianMs(runs, todayFrame));
      int8.push(await medianMs(runs, int8Frame));
    }
  } finally {
    await litert.close();
    await classifier.dispose();
  }
  const int8Ms = median(int8);
  const todayMs = median(today);
  return {
    'int8.v1_0.25_224.frame_today_ms': todayMs,
    'int8.v1_0.25_224.frame_int8_litert_ms': int8Ms,
    'int8.v1_0.25_224.frame_ratio': int8Ms / todayMs,
    'int8.v1_0.25_224.frame_same_top1': agree ? 1 : 0,
  };
}

/**
 * Full-integer int8 models the package writes, run by LiteRT.js (XNNPACK's integer kernels on
 * wasm), side by side with the fused TF.js engine in this one run: inference of the α=1.0/224 V1
 * (builder weights: latency does not depend on them) and one camera frame JPEG → labels with the
 * V1 0.25 fixture. Medians of alternating rounds.
 */
export async function benchInt8(rounds = 3, runs = 15): Promise<Record<string, number>> {
  const previous = tf.getBackend();
  await tf.setBackend('wasm');
  try {
    const results = { ...(await alpha1(rounds, runs)), ...(await oneFrame(rounds, runs)) };
    return { ...results, 'int8.loadavg': os.loadavg()[0] };
  } finally {
    if (previous) await tf.setBackend(previous);
  }
}

// `node dist/bench/int8.js`: this bench alone (npm run bench runs it with the rest).
if (require.main === module) {
  benchInt8().then(
    (results) => console.log(JSON.stringify(results)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
