import type { BackendName } from '../engine/backend-names';
import type { EngineChoice, EngineName } from '../engine/engine';
import type { ExecutionMode, LocalModelSpec } from '../engine/load-executable';
import type { PrecompiledLiteRt } from '../engine/litert/shared-wasm';
import type { ModelInput } from '../engine/model-input';
import type { Normalization } from '../model/normalization';

/** Messages between a Classifier (main thread) and its inference worker. */

/** What a worker loads: the model, on which engine and backend. */
export interface LoadSpec {
  model: LocalModelSpec;
  backend: BackendName;
  engine: EngineChoice;
}

export type ToWorker =
  /**
   * Sent as soon as the thread is started. With `liteRtWasmFollows`, a `litert-wasm` message follows once this
   * thread has compiled LiteRT.js's module: the worker reads and parses the model meanwhile instead of waiting.
   */
  | ({ type: 'load'; liteRtWasmFollows: boolean } & LoadSpec)
  /** LiteRT.js's compiled wasm module, or nothing when it could not be compiled (the worker then compiles its own). */
  | { type: 'litert-wasm'; liteRtWasm?: PrecompiledLiteRt }
  | { type: 'infer'; id: number; input: ModelInput; embedding?: boolean }
  | { type: 'memory'; id: number };

export interface WorkerModelInfo {
  /** The engine that runs the model. */
  engine: EngineName;
  /** Why `auto` runs the model on TF.js rather than LiteRT.js, when it does. */
  engineFallbackReason?: string;
  backend: string;
  inputShape: [number, number, number];
  classes: number;
  mode: ExecutionMode;
  fallbackReason?: string;
  /** True when the model outputs logits, so the worker applies softmax. */
  outputIsLogits: boolean;
  embeddedLabels?: string[];
  normalization?: Normalization;
  /** Length of the global-average-pool embedding; 0 when this model cannot give one. */
  embeddingSize: number;
  loadMs: number;
}

export type FromWorker =
  | { type: 'loaded'; info: WorkerModelInfo }
  | { type: 'load-error'; message: string; name: string }
  | { type: 'result'; id: number; scores: Float32Array; embedding?: Float32Array; inferenceMs: number }
  | { type: 'infer-error'; id: number; message: string }
  | { type: 'memory'; id: number; numTensors: number; numBytes: number; executions: number };
