import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TfliteOutput, TfliteTensorInfo } from './compiled-tflite';
import type { PrecompiledLiteRt } from './shared-wasm';
import type { LiteRtBuild } from './wasm-build';

/** What a runTflite worker is given. */
export interface RunTfliteRequest {
  bytes: Uint8Array;
  inputSets: ArrayLike<number>[][];
  /** LiteRT.js's wasm module compiled by the calling thread (shared-wasm.ts), to instantiate instead of compiling. */
  liteRtWasm?: PrecompiledLiteRt;
}

/** What a runTflite worker answers. */
export type RunTfliteReply =
  | {
      ok: true;
      build: LiteRtBuild;
      wasmSource: 'shared' | 'own';
      inputs: TfliteTensorInfo[];
      runs: TfliteOutput[][];
      liveAfter: number;
    }
  | { ok: false; message: string };

/** The outputs of runTflite, with what ran them. */
export interface RunTfliteResult {
  /** One list of outputs per input set, in the model's output order. */
  runs: TfliteOutput[][];
  /** The model's inputs as LiteRT.js reports them. */
  inputs: TfliteTensorInfo[];
  /** The LiteRT.js wasm build that ran. */
  build: LiteRtBuild;
  /** Whether the wasm module given was instantiated (`shared`) or the worker compiled its own. */
  wasmSource: 'shared' | 'own';
  /** LiteRT.js tensors and models left undeleted when the worker finished: 0 unless something leaks. */
  liveAfter: number;
}

/**
 * Runs a `.tflite` file on LiteRT.js (the TFLite interpreter with XNNPACK, compiled to wasm) in a
 * worker thread of its own, once per input set, and returns every output. For tests and tools that
 * check a `.tflite` file against the interpreter; the worker is gone when this resolves.
 *
 * Each input set holds one array per model input, in the model's order; numbers are converted to
 * the input's dtype. LiteRT.js 2.5 passes only float32, int32 and uint8 tensors in and out of a
 * model: a model whose inputs or outputs are int8 (or any other type) fails to run here, so a
 * full-integer model meant for it keeps float32 or uint8 at its edges.
 */
export async function runTflite(
  bytes: Uint8Array,
  inputSets: ArrayLike<number>[][],
  liteRtWasm?: PrecompiledLiteRt,
): Promise<RunTfliteResult> {
  const request: RunTfliteRequest = { bytes, inputSets, liteRtWasm };
  const worker = new Worker(path.join(__dirname, 'run-once-worker.js'), { workerData: request });
  try {
    const reply = await new Promise<RunTfliteReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`The LiteRT.js worker exited (code ${code}) before answering`)));
    });
    if (!reply.ok) throw new Error(reply.message);
    const { runs, inputs, build, wasmSource, liveAfter } = reply;
    return { runs, inputs, build, wasmSource, liveAfter };
  } finally {
    await worker.terminate();
  }
}

/** runTflite with one input set, for a single-input model: its outputs, in the model's order. */
export async function runTfliteOnce(bytes: Uint8Array, input: ArrayLike<number>): Promise<TfliteOutput[]> {
  const { runs } = await runTflite(bytes, [[input]]);
  return runs[0];
}
