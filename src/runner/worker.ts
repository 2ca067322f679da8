/**
 * Inference worker: owns one model on one TF.js backend, so the caller's event loop (Node-RED
 * flows, MQTT keep-alives, the editor) never waits on a convolution.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../engine/backend';
import { loadExecutable } from '../engine/load-executable';
import type { Executable } from '../engine/compile-graph';
import type { FromWorker, ToWorker } from './protocol';

if (!parentPort) throw new Error('runner/worker.js must be started as a worker thread');
const port = parentPort;

let executable: Executable | undefined;
let outputIsLogits = false;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Probabilities sum to 1 and are never negative; anything else is logits. */
function looksLikeLogits(scores: Float32Array): boolean {
  let sum = 0;
  for (const value of scores) {
    if (value < 0 || value > 1) return true;
    sum += value;
  }
  return Math.abs(sum - 1) > 1e-2;
}

async function load(message: Extract<ToWorker, { type: 'load' }>): Promise<void> {
  const started = performance.now();
  const backend = await selectBackend(message.backend);
  const loaded = await loadExecutable(message.model);
  executable = loaded.executable;
  // Warm-up run: compiles kernels once and tells probabilities from logits.
  const [h, w, c] = loaded.inputShape;
  const probe = tf.tidy(() => executable?.run(tf.zeros([1, h, w, c])) as tf.Tensor2D);
  const scores = (await probe.data()) as Float32Array;
  probe.dispose();
  // uint8 softmax outputs sum to 0.85–1.0, so a file's own word beats the probe.
  outputIsLogits = loaded.scores ? loaded.scores === 'logits' : looksLikeLogits(scores);
  post({
    type: 'loaded',
    info: {
      backend,
      inputShape: loaded.inputShape,
      classes: scores.length,
      mode: loaded.mode,
      fallbackReason: loaded.fallbackReason,
      outputIsLogits,
      embeddedLabels: loaded.embeddedLabels,
      normalization: loaded.normalization,
      loadMs: performance.now() - started,
    },
  });
}

async function infer(message: Extract<ToWorker, { type: 'infer' }>): Promise<void> {
  if (!executable) throw new Error('No model is loaded');
  const started = performance.now();
  const output = tf.tidy(() => {
    const input = tf.tensor4d(message.input, [1, ...message.shape]);
    const raw = executable?.run(input) as tf.Tensor2D;
    return outputIsLogits ? tf.softmax(raw) : raw;
  });
  const scores = (await output.data()) as Float32Array;
  output.dispose();
  const copy = Float32Array.from(scores);
  post({ type: 'result', id: message.id, scores: copy, inferenceMs: performance.now() - started }, [copy.buffer]);
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'load':
      load(message).catch((error: Error) => post({ type: 'load-error', message: error.message, name: error.name }));
      break;
    case 'infer':
      infer(message).catch((error: Error) => post({ type: 'infer-error', id: message.id, message: error.message }));
      break;
    case 'memory': {
      const memory = tf.memory();
      post({ type: 'memory', id: message.id, numTensors: memory.numTensors, numBytes: memory.numBytes });
      break;
    }
  }
});
