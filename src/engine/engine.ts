import type { BackendName } from './backend-names';
import type { ExecutionMode, LocalModelSpec } from './load-executable';
import type { PrecompiledLiteRt } from './litert/shared-wasm';
import type { ModelInput } from './model-input';

export type { ExecutionMode };
import type { Normalization } from '../model/normalization';

/** The two ways a model runs: LiteRT.js (the TFLite interpreter + XNNPACK, wasm) or TF.js (the fused graph). */
export type EngineName = 'litert' | 'tfjs';
/** What a user asks for: `auto` is LiteRT.js where it can run the model, TF.js otherwise (saying why). */
export type EngineChoice = 'auto' | EngineName;
/** Every EngineChoice, for editors and option checks. */
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'litert', 'tfjs'];
/** The engine a classifier runs on when its options name none. */
export const DEFAULT_ENGINE: EngineChoice = 'auto';

/** One pass through the network. */
export interface EngineOutputs {
  /** The class scores, flattened; probabilities when `softmax` was asked for. */
  scores: Float32Array;
  /** The global average pooling's output (real values, not normalised), when asked for and available. */
  embedding?: Float32Array;
}

/** A model loaded on one engine, in the thread that runs it. */
export interface EngineModel {
  readonly engine: EngineName;
  /** What runs the kernels: the TF.js backend (`wasm`, `tensorflow`, `cpu`) or the LiteRT.js build. */
  readonly backend: string;
  /** [height, width, channels] */
  readonly inputShape: [number, number, number];
  readonly mode: ExecutionMode;
  /** Why a layers model could not be fused on TF.js, when it was not. */
  readonly fallbackReason?: string;
  /** Labels the file carries itself (TFLite metadata). */
  readonly embeddedLabels?: string[];
  /** What the output holds, when the file says so; otherwise the caller tells from a probe run. */
  readonly scores?: 'probabilities' | 'logits';
  /** Pixel → input mapping the file itself dictates (TFLite quantised input). */
  readonly normalization?: Normalization;
  /** False when the model has no global average pooling this engine can hand back. */
  readonly hasEmbedding: boolean;
  /**
   * How many scores and embedding values a pass gives (0: no embedding), when the engine knows before running
   * it (LiteRT.js reads them from the compiled model's outputs). Together with `scores`, the worker then needs
   * no pass to describe the model and warms it up while the caller prepares its first frame.
   */
  readonly outputSizes?: { classes: number; embedding: number };
  /** `input`: [h, w, c] real values (normalised pixels) or a frame's pixels; `softmax` makes logits probabilities. */
  run(input: ModelInput, options: { embedding: boolean; softmax: boolean }): Promise<EngineOutputs>;
  /**
   * Engine objects alive in this thread (TF.js tensors, LiteRT.js tensors and models) and the TF.js
   * tensor bytes: both flat between frames, or something leaks.
   */
  memory(): { objects: number; bytes: number };
  dispose(): void;
}

/** What an engine is asked to load, in the worker thread. */
export interface EngineLoadRequest {
  model: LocalModelSpec;
  /** The TF.js backend (the tfjs engine runs on it; LiteRT.js ignores it). */
  backend: BackendName;
  /**
   * LiteRT.js's wasm module compiled by the thread that started this worker, to instantiate instead of compiling
   * (it may still be on its way: the model is read meanwhile); undefined inside: compile it here.
   */
  liteRtWasm?: Promise<PrecompiledLiteRt | undefined>;
}

/** One way of running models: the runner talks to this and to EngineModel only. */
export interface Engine {
  readonly name: EngineName;
  load(request: EngineLoadRequest): Promise<EngineModel>;
}
