import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend';
import type { Engine, EngineLoadRequest, EngineModel } from './engine';
import { loadExecutable } from './load-executable';
import { realValues } from './model-input';

/** TF.js: the package's fused graph on the chosen backend (or the library's own model object). */
export const tfjsEngine: Engine = {
  name: 'tfjs',
  async load({ model: spec, backend: requested }: EngineLoadRequest): Promise<EngineModel> {
    const backend = await selectBackend(requested);
    const loaded = await loadExecutable(spec);
    const { executable } = loaded;
    return {
      engine: 'tfjs',
      backend,
      inputShape: loaded.inputShape,
      mode: loaded.mode,
      fallbackReason: loaded.fallbackReason,
      embeddedLabels: loaded.embeddedLabels,
      scores: loaded.scores,
      normalization: loaded.normalization,
      hasEmbedding: executable.runWithEmbedding !== undefined,
      async run(input, options) {
        const output = tf.tidy(() => {
          const x = tf.tensor4d(realValues(input), [1, ...loaded.inputShape]);
          const both =
            options.embedding && executable.runWithEmbedding
              ? executable.runWithEmbedding(x)
              : { scores: executable.run(x), embedding: undefined };
          return { scores: options.softmax ? tf.softmax(both.scores) : both.scores, embedding: both.embedding };
        });
        try {
          const [scores, embedding] = await Promise.all([output.scores.data(), output.embedding?.data()]);
          return {
            scores: Float32Array.from(scores as Float32Array),
            ...(embedding ? { embedding: Float32Array.from(embedding as Float32Array) } : {}),
          };
        } finally {
          tf.dispose([output.scores, output.embedding ?? []]);
        }
      },
      memory: () => {
        const { numTensors, numBytes } = tf.memory();
        return { objects: numTensors, bytes: numBytes };
      },
      dispose: () => executable.dispose(),
    };
  },
};
