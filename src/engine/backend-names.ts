// The backend names alone, without TensorFlow.js: option checks and editors on the main thread name them, while only
// the inference worker loads TF.js (engine/backend.ts).

/** Where inference runs: auto (tfjs-node when installed, else wasm), wasm, tfjs-node or cpu (pure JS, slow). */
export type BackendName = 'auto' | 'wasm' | 'tfjs-node' | 'cpu';
/** Every BackendName, for editors and option checks. */
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'wasm', 'tfjs-node', 'cpu'];
