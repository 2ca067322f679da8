/**
 * Inference worker: owns one model on one TF.js backend, so the caller's event loop (Node-RED
 * flows, MQTT keep-alives, the editor) never waits on a convolution.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../engine/backend';
import { loadExecutable } from '../engine/load-executable';
import type { Executable, ExecutableOutputs } from '../engine/compile-graph';
import { l2Normalize } from './l2-normalize';
import type { FromWorker, ToWorker } from './protocol';

if (!parentPort) throw new Error('runner/worker.js must be started as a worker thread');
const port = parentPort;

let executable: Executable | undefined;
let outputIsLogits = false;
let embeddingSize = 0;
/** Passes through the network since load (the probe included): the check that an embedding costs no second run. */
let executions = 0;

/** One pass through the network: the scores and, when asked and the model has one, the pooled features. */
function execute(input: tf.Tensor4D, withEmbedding: boolean): ExecutableOutputs {
  if (!executable) throw new Error('No model is loaded');
  executions++;
  if (withEmbedding && executable.runWithEmbedding) return executable.runWithEmbedding(input);
  return { scores: executable.run(input) };
}

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
  const zeros = tf.zeros([1, h, w, c]) as tf.Tensor4D;
  let probe: ExecutableOutputs;
  try {
    probe = execute(zeros, true);
  } catch {
    // A graph model whose pooling node the converter pruned cannot give it: scores only.
    if (executable.runWithEmbedding) delete executable.runWithEmbedding;
    probe = execute(zeros, false);
  } finally {
    zeros.dispose();
  }
  const scores = (await probe.scores.data()) as Float32Array;
  embeddingSize = probe.embedding ? probe.embedding.shape[1] : 0;
  tf.dispose([probe.scores, probe.embedding ?? []]);
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
      embeddingSize,
      loadMs: performance.now() - started,
    },
  });
}

async function infer(message: Extract<ToWorker, { type: 'infer' }>): Promise<void> {
  if (message.embedding && embeddingSize === 0)
    throw new Error('This model has no global average pooling to take an embedding from');
  const started = performance.now();
  const output = tf.tidy(() => {
    const input = tf.tensor4d(message.input, [1, ...message.shape]);
    const { scores: raw, embedding } = execute(input, message.embedding === true);
    return { scores: outputIsLogits ? tf.softmax(raw) : raw, embedding };
  });
  const [scores, pooled] = await Promise.all([output.scores.data(), output.embedding?.data()]);
  tf.dispose([output.scores, output.embedding ?? []]);
  const copy = Float32Array.from(scores as Float32Array);
  const embedding = pooled ? l2Normalize(Float32Array.from(pooled as Float32Array)) : undefined;
  const transfer = (embedding ? [copy.buffer, embedding.buffer] : [copy.buffer]) as ArrayBuffer[];
  post({ type: 'result', id: message.id, scores: copy, embedding, inferenceMs: performance.now() - started }, transfer);
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
      post({ type: 'memory', id: message.id, numTensors: memory.numTensors, numBytes: memory.numBytes, executions });
      break;
    }
  }
});
