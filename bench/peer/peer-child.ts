/**
 * The peer, measured the way its users run it in Node without tfjs-node: `@tensorflow-models/mobilenet`
 * 2.1.1's own load() and classify(), on the main thread, tfjs-wasm, each frame decoded with jpeg-js
 * into an int32 tensor (what classify() takes when there is no DOM). Started by the bench like this
 * package's own child (src/measure/child-main.ts), same FrameJob in, same measurement out. Its
 * libraries come from bench/peer/node_modules, never from the product's dependencies.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { ChildReply, FrameJob, FrameMeasurement } from '../../src/measure/job';
import { spread } from '../../src/measure/stats';

export const PEER_DIR = path.join(__dirname, '..', '..', '..', 'bench', 'peer');
const peerRequire = createRequire(path.join(PEER_DIR, 'package.json'));

interface Tensor {
  dispose(): void;
}
interface Tf {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor;
}
interface PeerModel {
  classify(image: Tensor, topk: number): Promise<Array<{ className: string; probability: number }>>;
}
interface MobileNetPackage {
  load(config: { version: 1; alpha: 0.25; modelUrl: unknown; inputRange: [number, number] }): Promise<PeerModel>;
}
interface JpegJs {
  decode(
    data: Buffer,
    options: { useTArray: true; formatAsRGBA: false },
  ): { width: number; height: number; data: Uint8Array };
}

const MB = 1e6;

async function measure(job: FrameJob): Promise<FrameMeasurement> {
  const started = performance.now();
  const tf = peerRequire('@tensorflow/tfjs-core') as Tf;
  peerRequire('@tensorflow/tfjs-backend-wasm');
  const mobilenet = peerRequire('@tensorflow-models/mobilenet') as MobileNetPackage;
  const jpeg = peerRequire('jpeg-js') as JpegJs;
  await tf.setBackend('wasm');
  await tf.ready();
  const modelJson = JSON.parse(fs.readFileSync(path.join(job.model, 'model.json'), 'utf8'));
  const weights = fs.readFileSync(path.join(job.model, 'weights.bin'));
  const handler = {
    load: async () => ({
      format: modelJson.format,
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  };
  // The fixture is a Keras MobileNet: input in [-1, 1] (the peer's default for a modelUrl too).
  const model = await mobilenet.load({ version: 1, alpha: 0.25, modelUrl: handler, inputRange: [-1, 1] });
  const rssAfterLoadMb = process.memoryUsage().rss / MB;
  const frame = fs.readFileSync(job.jpegPath);
  const classify = async () => {
    const begun = performance.now();
    const decoded = jpeg.decode(frame, { useTArray: true, formatAsRGBA: false });
    const image = tf.tensor3d(decoded.data, [decoded.height, decoded.width, 3], 'int32');
    const decodedAt = performance.now();
    try {
      await model.classify(image, 5);
    } finally {
      image.dispose();
    }
    const done = performance.now();
    return { total: done - begun, preprocess: decodedAt - begun, inference: done - decodedAt };
  };
  await classify();
  const coldStartMs = Number(process.hrtime.bigint() - BigInt(job.spawnedAtNs)) / 1e6;
  const loadAndFirstMs = performance.now() - started;
  let classified = 1;
  for (let i = 0; i < job.warmup; i++, classified++) await classify();
  const times = [];
  for (let i = 0; i < job.runs; i++, classified++) times.push(await classify());
  for (; classified < job.framesForRss; classified++) await classify();
  return {
    engine: '@tensorflow-models/mobilenet 2.1.1',
    backend: tf.getBackend(),
    mode: 'graph-model (fused adapter)',
    inputSize: 224,
    coldStartMs,
    loadAndFirstMs,
    totalMs: spread(times.map((t) => t.total)),
    // jpeg-js decode and the int32 tensor; resize and normalisation happen inside classify().
    preprocessMs: spread(times.map((t) => t.preprocess)),
    queueMs: spread(times.map(() => 0)),
    inferenceMs: spread(times.map((t) => t.inference)),
    rssAfterLoadMb,
    rssAfterFramesMb: process.memoryUsage().rss / MB,
    framesForRss: classified,
  };
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2] ?? '{}') as FrameJob;
  measure(job)
    .then(
      (result): ChildReply => ({ ok: true, result }),
      (error: unknown): ChildReply => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    )
    .then((reply) => new Promise<void>((resolve) => (process.send ? process.send(reply, () => resolve()) : resolve())))
    .finally(() => process.disconnect?.());
}
