/**
 * Inference worker: owns one model on one engine (LiteRT.js or TF.js), so the caller's event loop
 * (Node-RED flows, MQTT keep-alives, the editor) never waits on a convolution.
 */
import { parentPort } from 'node:worker_threads';
import { loadOnEngine } from '../engine/choose-engine';
import type { EngineModel, EngineOutputs } from '../engine/engine';
import { l2Normalize } from './l2-normalize';
import type { PrecompiledLiteRt } from '../engine/litert/shared-wasm';
import type { ModelInput } from '../engine/model-input';
import type { FromWorker, ToWorker } from './protocol';

if (!parentPort) throw new Error('runner/worker.js must be started as a worker thread');
const port = parentPort;

let model: EngineModel | undefined;
let outputIsLogits = false;
let embeddingSize = 0;
/** Passes through the network since load (the probe included): the check that an embedding costs no second run. */
let executions = 0;
/** The warm-up pass after a load that needed no probe: frames wait for it rather than run beside it. */
let warmingUp: Promise<void> = Promise.resolve();
/** Settled by the `litert-wasm` message that follows a load announcing one. */
let liteRtWasmArrived: (compiled: PrecompiledLiteRt | undefined) => void = () => undefined;

/** One pass through the network: the scores and, when asked and the model has one, the pooled features. */
function execute(input: ModelInput, withEmbedding: boolean, softmax: boolean): Promise<EngineOutputs> {
  if (!model) throw new Error('No model is loaded');
  executions++;
  return model.run(input, { embedding: withEmbedding, softmax });
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
  const { model: spec, backend, liteRtWasmFollows } = message;
  const liteRtWasm = liteRtWasmFollows
    ? new Promise<PrecompiledLiteRt | undefined>((resolve) => {
        liteRtWasmArrived = resolve;
      })
    : undefined;
  const loaded = await loadOnEngine(message.engine, { model: spec, backend, liteRtWasm });
  model = loaded.model;
  const [h, w, c] = model.inputShape;
  const zeros = new Float32Array(h * w * c);
  let classes: number;
  const { scores, outputSizes } = model;
  if (scores && outputSizes) {
    // The engine describes the model without running it: answer now, and warm it up (the first pass compiles
    // its wasm functions) while the caller decodes its first frame, as a program that knew its frame before
    // loading would. A pass that fails here fails the first frame too, with its message.
    ({ classes, embedding: embeddingSize } = outputSizes);
    outputIsLogits = scores === 'logits';
    warmingUp = Promise.resolve()
      .then(() => execute(zeros, false, false))
      .then(
        () => undefined,
        () => undefined,
      );
  } else {
    // Warm-up run: compiles kernels once and tells probabilities from logits.
    let probe: EngineOutputs;
    try {
      probe = await execute(zeros, model.hasEmbedding, false);
    } catch (error) {
      // A graph model whose pooling node the converter pruned cannot give it: scores only.
      if (!model.hasEmbedding) throw error;
      probe = await execute(zeros, false, false);
    }
    classes = probe.scores.length;
    embeddingSize = probe.embedding?.length ?? 0;
    // uint8 softmax outputs sum to 0.85–1.0, so a file's own word beats the probe.
    outputIsLogits = scores ? scores === 'logits' : looksLikeLogits(probe.scores);
  }
  post({
    type: 'loaded',
    info: {
      engine: model.engine,
      engineFallbackReason: loaded.engineFallbackReason,
      backend: model.backend,
      inputShape: model.inputShape,
      classes,
      mode: model.mode,
      fallbackReason: model.fallbackReason,
      outputIsLogits,
      embeddedLabels: model.embeddedLabels,
      normalization: model.normalization,
      embeddingSize,
      loadMs: performance.now() - started,
    },
  });
}

async function infer(message: Extract<ToWorker, { type: 'infer' }>): Promise<void> {
  if (message.embedding && embeddingSize === 0)
    throw new Error('This model has no global average pooling to take an embedding from');
  await warmingUp;
  const started = performance.now();
  const output = await execute(message.input, message.embedding === true, outputIsLogits);
  const scores = output.scores;
  const embedding = output.embedding ? l2Normalize(output.embedding) : undefined;
  const transfer = (embedding ? [scores.buffer, embedding.buffer] : [scores.buffer]) as ArrayBuffer[];
  post({ type: 'result', id: message.id, scores, embedding, inferenceMs: performance.now() - started }, transfer);
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'load':
      load(message).catch((error: Error) => post({ type: 'load-error', message: error.message, name: error.name }));
      break;
    case 'litert-wasm':
      liteRtWasmArrived(message.liteRtWasm);
      break;
    case 'infer':
      infer(message).catch((error: Error) => post({ type: 'infer-error', id: message.id, message: error.message }));
      break;
    case 'memory': {
      const { objects, bytes } = model?.memory() ?? { objects: 0, bytes: 0 };
      post({ type: 'memory', id: message.id, numTensors: objects, numBytes: bytes, executions });
      break;
    }
  }
});
