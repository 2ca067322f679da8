/**
 * A worker that holds one `.tflite` compiled by LiteRT.js (whose browser shim must stay out of the
 * main thread) and answers timing and classification requests for the int8 bench.
 */
import { parentPort } from 'node:worker_threads';
import { CompiledTflite } from '../src/engine/litert';
import { toError } from '../src/to-error';
import { medianMs } from './stats';

export type TimingRequest =
  | { kind: 'compile'; bytes: Uint8Array }
  | { kind: 'time'; input: Uint8Array | Float32Array; runs: number }
  | { kind: 'classify'; input: Uint8Array | Float32Array; top: number }
  | { kind: 'close' };

export type TimingReply = { ok: true; ms?: number; top?: number[] } | { ok: false; message: string };

let model: CompiledTflite | undefined;

function loaded(): CompiledTflite {
  if (!model) throw new Error('compile first');
  return model;
}

async function answer(request: TimingRequest): Promise<TimingReply> {
  switch (request.kind) {
    case 'compile':
      model = await CompiledTflite.compile(request.bytes);
      return { ok: true };
    case 'time': {
      const compiled = loaded();
      return { ok: true, ms: await medianMs(request.runs, () => compiled.run([request.input])) };
    }
    case 'classify': {
      const [scores] = await loaded().run([request.input]);
      const order = Array.from(scores.data.keys()).sort((a, b) => scores.data[b] - scores.data[a]);
      return { ok: true, top: order.slice(0, request.top) };
    }
    case 'close':
      model?.delete();
      model = undefined;
      return { ok: true };
  }
}

parentPort?.on('message', (request: TimingRequest) => {
  answer(request)
    .then((reply) => parentPort?.postMessage(reply))
    .catch((error: unknown) => parentPort?.postMessage({ ok: false, message: toError(error).message }));
});
