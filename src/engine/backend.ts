import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, type BackendName } from './backend-names';

export { BACKEND_NAMES, type BackendName };

/**
 * tfjs-node is an optional accelerator: it cannot install on many boards (its install script
 * downloads libtensorflow), so it is only ever required here, lazily, and its absence is normal.
 */
function tryLoadTfjsNode(): boolean {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

async function activate(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Makes `requested` the active TF.js backend and returns the one really in use. */
export async function selectBackend(requested: BackendName = 'auto'): Promise<string> {
  if (!BACKEND_NAMES.includes(requested)) {
    throw new Error(`Unknown backend "${String(requested)}". Valid backends are: ${BACKEND_NAMES.join(', ')}`);
  }
  if (requested === 'tfjs-node' || requested === 'auto') {
    if (tryLoadTfjsNode() && (await activate('tensorflow'))) return 'tensorflow';
    if (requested === 'tfjs-node')
      throw new Error(
        'Backend "tfjs-node" was requested but @tensorflow/tfjs-node is not installed or failed to load; use "wasm" ' +
          '(works everywhere) or install it',
      );
  }
  if (requested === 'wasm' || requested === 'auto') {
    require('@tensorflow/tfjs-backend-wasm');
    if (await activate('wasm')) return 'wasm';
    if (requested === 'wasm') throw new Error('Backend "wasm" failed to initialise');
  }
  require('@tensorflow/tfjs-backend-cpu');
  if (await activate('cpu')) return 'cpu';
  throw new Error('No TF.js backend could be initialised (tried tfjs-node, wasm, cpu)');
}
