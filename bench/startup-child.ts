/**
 * One cold start, in a process of its own (bench/startup.ts spawns it): from the first line of this script to the
 * first label of one photo. `package`: `require` of this package's main module, `Classifier.load`, `classify`, as a
 * program using the library does. `lean`: the least a program needs for the same answer, on one thread: sharp, TF.js
 * core with the wasm backend, the layers reader, the same fused graph, a plain normalise loop and an argmax.
 * `lean-litert`: the same on LiteRT.js: sharp on the main thread while a worker compiles the model's written
 * `.tflite` (its path is the second argument), then the same normalise loop and argmax. `package-tfjs`: the package
 * with `engine: 'tfjs'`. Prints one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Classifier as ClassifierType } from '../src/runner/classifier';
import { V1_025_LAYERS_DIR, imagePath } from '../fixtures';

const REPO = path.join(__dirname, '..', '..');

interface Outcome {
  label: string;
  requireMs: number;
  /** Script start → the label known: what a caller waits for. Releasing the model afterwards is not counted. */
  firstLabelMs: number;
}

async function viaPackage(jpeg: Buffer, started: number, engine?: 'tfjs'): Promise<Outcome> {
  const main = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { main: string }).main;
  const { Classifier } = require(path.join(REPO, main)) as { Classifier: typeof ClassifierType };
  const requireMs = performance.now() - started;
  const classifier = await Classifier.load({ model: V1_025_LAYERS_DIR, ...(engine ? { engine } : {}) });
  try {
    const { predictions } = await classifier.classify(jpeg, { topK: 1 });
    return { label: predictions[0].label, requireMs, firstLabelMs: performance.now() - started };
  } finally {
    await classifier.dispose();
  }
}

/** The model's input as both lean pipelines make it: sharp's centre crop to 224×224, then a plain [-1, 1] loop. */
async function leanInput(sharp: typeof import('sharp'), jpeg: Buffer): Promise<Float32Array> {
  const pixels = await sharp(jpeg).removeAlpha().resize(224, 224, { fit: 'cover' }).raw().toBuffer();
  const input = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) input[i] = pixels[i] / 127.5 - 1;
  return input;
}

function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

async function lean(jpeg: Buffer, started: number): Promise<Outcome> {
  const sharp = require('sharp') as typeof import('sharp');
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-wasm');
  const tfl = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');
  const { layersModelToGraph } =
    require('../src/model/layers-to-graph') as typeof import('../src/model/layers-to-graph');
  const { compileGraph } = require('../src/engine/compile-graph') as typeof import('../src/engine/compile-graph');
  const { directoryHandler } = require('../src/model/model-files') as typeof import('../src/model/model-files');
  const { imagenetLabels } = require('../src/zoo/imagenet') as typeof import('../src/zoo/imagenet');
  const requireMs = performance.now() - started;
  await tf.setBackend('wasm');
  const model = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
  const network = compileGraph(layersModelToGraph(model));
  model.dispose();
  const x = tf.tensor4d(await leanInput(sharp, jpeg), [1, 224, 224, 3]);
  const y = network.run(x);
  const scores = await y.data();
  const firstLabelMs = performance.now() - started; // the argmax below is microseconds
  tf.dispose([x, y]);
  network.dispose();
  return { label: imagenetLabels(1000)[argmax(scores)], requireMs, firstLabelMs };
}

async function leanLiteRt(jpeg: Buffer, started: number, tflite: string): Promise<Outcome> {
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(path.join(__dirname, 'startup-litert-worker.js'), { workerData: tflite });
  const sharp = require('sharp') as typeof import('sharp');
  const { imagenetLabels } = require('../src/zoo/imagenet') as typeof import('../src/zoo/imagenet');
  const requireMs = performance.now() - started;
  const input = await leanInput(sharp, jpeg);
  const scores = await new Promise<Float32Array>((resolve, reject) => {
    worker.once('message', (reply: Float32Array | { error: string }) =>
      reply instanceof Float32Array ? resolve(reply) : reject(new Error(reply.error)),
    );
    worker.once('error', reject);
    worker.postMessage(input);
  });
  const firstLabelMs = performance.now() - started;
  await worker.terminate();
  return { label: imagenetLabels(scores.length as 1000 | 1001)[argmax(scores)], requireMs, firstLabelMs };
}

async function main(): Promise<void> {
  const started = performance.now();
  const mode = process.argv[2];
  const jpeg = fs.readFileSync(imagePath('cat_720p.jpg'));
  const outcome =
    mode === 'lean'
      ? await lean(jpeg, started)
      : mode === 'lean-litert'
        ? await leanLiteRt(jpeg, started, process.argv[3])
        : await viaPackage(jpeg, started, mode === 'package-tfjs' ? 'tfjs' : undefined);
  const modules = Object.keys(require.cache).length;
  // ms: to the first label; teardownMs: releasing the model after it (a terminated worker waits for V8's
  // background compiles of the wasm module: hundreds of ms that no caller waits for before its first label).
  const teardownMs = performance.now() - started - outcome.firstLabelMs;
  process.stdout.write(`${JSON.stringify({ mode, ms: outcome.firstLabelMs, teardownMs, modules, ...outcome })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
