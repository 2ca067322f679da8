import type { Engine, EngineChoice, EngineLoadRequest, EngineModel } from './engine';
import { liteRtEngine } from './litert/litert-engine';
import { liteRtUnsupportedReason } from './litert/unsupported';
import { uninstallLiteRtShim } from './litert/shim';
import { toError } from '../to-error';

/** The model on the engine that runs it, and why `auto` did not pick LiteRT.js when it did not. */
export interface EngineLoadResult {
  model: EngineModel;
  engineFallbackReason?: string;
}

// TF.js is loaded by the thread that uses it only: a model on LiteRT.js starts without it.
const tfjsEngine: Engine = {
  name: 'tfjs',
  load: (request) => (require('./tfjs-engine') as typeof import('./tfjs-engine')).tfjsEngine.load(request),
};
const ENGINES: Record<'litert' | 'tfjs', Engine> = { litert: liteRtEngine, tfjs: tfjsEngine };

/**
 * Loads the model on the engine asked for. `auto` is LiteRT.js whenever it can run the model, and
 * TF.js (with the reason) when it cannot: a format with no `.tflite` writer yet, a TF.js-only
 * option, or LiteRT.js failing to load or to compile the model. An explicit engine never falls back.
 */
export async function loadOnEngine(choice: EngineChoice, request: EngineLoadRequest): Promise<EngineLoadResult> {
  if (choice !== 'auto') return { model: await ENGINES[choice].load(request) };
  const unsupported = liteRtUnsupportedReason(request.model);
  if (unsupported) return { model: await tfjsEngine.load(request), engineFallbackReason: unsupported };
  try {
    return { model: await liteRtEngine.load(request) };
  } catch (error) {
    // LiteRT.js's worker globals would send tfjs-backend-wasm down its browser path.
    uninstallLiteRtShim();
    const engineFallbackReason = `LiteRT.js failed: ${toError(error).message}`;
    return { model: await tfjsEngine.load(request), engineFallbackReason };
  }
}
