import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../src/engine/compile-graph';
import { importTflite } from '../src/model/tflite/import-tflite';
import { V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';
import { modelSizeOnDisk } from '../src/model/model-files';
import { medianMs } from './stats';

/** Median ms of one inference on a fixed input, 20 runs after warm-up, in one mode. */
async function inferenceMs(file: string, float: boolean, runs: number): Promise<{ ms: number; importMs: number }> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const started = performance.now();
  const imported = importTflite(bytes, { float });
  const importMs = performance.now() - started;
  const executable = compileGraph(imported.graph, { float });
  const [h, w, c] = imported.graph.input.shape;
  // Random whole-number pixels: timing does not depend on the picture.
  const input = tf.tidy(() =>
    tf.add(
      tf.mul(tf.floor(tf.randomUniform([1, h, w, c], 0, 256)), imported.normalization.scale),
      imported.normalization.offset,
    ),
  ) as tf.Tensor4D;
  try {
    const ms = await medianMs(runs, async () => {
      const output = executable.run(input);
      await output.data();
      output.dispose();
    });
    return { ms, importMs };
  } finally {
    input.dispose();
    executable.dispose();
  }
}

/**
 * `.tflite` models on the TF.js engine (wasm): the cost of the default mode (integer-exact,
 * matches the interpreter) against float mode, and the files' sizes beside the TF.js V1 0.25.
 */
export async function benchTflite(runs = 20): Promise<Record<string, unknown>> {
  const previous = tf.getBackend();
  await tf.setBackend('wasm');
  const results: Record<string, unknown> = { 'tflite.backend': tf.getBackend() };
  try {
    for (const [name, file] of [
      ['v2_1.0_224_quant', V2_QUANT_TFLITE],
      ['v1_0.25_128_quant', V1_025_128_QUANT_TFLITE],
    ] as const) {
      results[`tflite.${name}.size_mb`] = (await modelSizeOnDisk(file)) / 1e6;
      for (const [mode, float] of [
        ['default', false],
        ['float', true],
      ] as const) {
        const { ms, importMs } = await inferenceMs(file, float, runs);
        results[`tflite.${name}.${mode}.inference_ms`] = ms;
        if (mode === 'default') results[`tflite.${name}.import_ms`] = importMs;
      }
    }
    results['tfjs.v1_0.25_224_layers.size_mb'] = (await modelSizeOnDisk(V1_025_LAYERS_DIR)) / 1e6;
  } finally {
    if (previous && previous !== tf.getBackend()) await tf.setBackend(previous);
  }
  return results;
}
