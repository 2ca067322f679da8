import * as fs from 'node:fs/promises';
import type { Engine, EngineLoadRequest, EngineModel } from '../engine';
import type { ExecutionMode } from '../load-executable';
import { tfliteFor } from '../tflite-for';
import { ModelLoadError } from '../../model/errors';
import { globalPoolOutput } from '../../model/global-pool';
import type { ModelGraph, QuantGrid } from '../../model/graph';
import type { ImportedTflite } from '../../model/tflite';
import { elementCount } from '../../model/tflite/tensor-data';
import { toError } from '../../to-error';
import { CompiledTflite, type TfliteOutput } from './compiled-tflite';
import { withExtraOutput } from './expose-output';
import { liveLiteRtObjects } from './ledger';
import { liteRtUnsupportedReason } from './unsupported';
import { inputConverter } from './input-converter';

/**
 * A layers model (Keras, Teachable Machine) as a float32 .tflite, through the package's graph and
 * writer, written once beside the model (or in the cache) and read back after.
 */
/** Whether this thread loaded TF.js to write a model's file (its tensors then count in the memory figures). */
let tfLoadedToWrite = false;

async function writtenTflite(dir: string, found: string | undefined): Promise<Uint8Array> {
  if (found) {
    try {
      return new Uint8Array(await fs.readFile(found));
    } catch {
      // Removed since it was found (a cache cleared meanwhile): found or written again below.
    }
  }
  const file = await tfliteFor(dir, {
    // Writing reads the weights with TF.js; the pure-JS backend leaves the wasm runtime to LiteRT.js alone. Only
    // when the file has to be written: a cached one runs without TF.js in the thread (start-up time and memory).
    beforeRead: async () => {
      const { selectBackend } = require('../backend') as typeof import('../backend');
      await selectBackend('cpu');
      tfLoadedToWrite = true;
    },
  });
  return new Uint8Array(await fs.readFile(file));
}

function tfMemory(): { numTensors: number; numBytes: number } {
  if (!tfLoadedToWrite) return { numTensors: 0, numBytes: 0 };
  return (require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core')).memory();
}

/** The grid an op's output is stored on (undefined: float32), by the reader's tensor name. */
function gridOf(graph: ModelGraph, name: string): QuantGrid | undefined {
  return graph.ops.find((op) => op.output === name)?.requantize;
}

/** The reader names tensors t<index>: the index in the file's tensor list. */
function tensorIndex(name: string): number {
  const index = Number(name.slice(1));
  if (!name.startsWith('t') || !Number.isInteger(index)) throw new Error(`Unexpected tensor name ${name}`);
  return index;
}

function dequantize(output: TfliteOutput, grid: QuantGrid | undefined): Float32Array {
  if (output.dtype === 'float32') return Float32Array.from(output.data);
  if (!grid) throw new Error(`Output ${output.name} is ${output.dtype} without a quantisation grid`);
  const real = new Float32Array(output.data.length);
  for (let i = 0; i < real.length; i++) real[i] = (output.data[i] - grid.zeroPoint) * grid.scale;
  return real;
}

function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/**
 * LiteRT.js: the `.tflite` file as it is, or (layers models) the float32 `.tflite` the package
 * writes from the model's graph. The pooled features are made a subgraph output before compiling,
 * so the embedding comes from the same run as the scores.
 */
export const liteRtEngine: Engine = {
  name: 'litert',
  async load({ model: spec, liteRtWasm }: EngineLoadRequest): Promise<EngineModel> {
    const unsupported = liteRtUnsupportedReason(spec);
    if (unsupported) throw new ModelLoadError(`LiteRT.js cannot run this model: ${unsupported}`);
    let bytes: Uint8Array;
    let mode: ExecutionMode;
    if (spec.format === 'tflite') {
      try {
        const file = await fs.readFile(spec.path);
        bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
      } catch (error) {
        throw new ModelLoadError(`Cannot read ${spec.path}: ${toError(error).message}`);
      }
      mode = 'tflite-file';
    } else {
      bytes = await writtenTflite(spec.path, spec.writtenTflite);
      mode = 'written-tflite';
    }
    const { importTflite } = require('../../model/tflite') as typeof import('../../model/tflite');
    const imported: ImportedTflite = importTflite(bytes);
    const { graph } = imported;
    const poolName = globalPoolOutput(graph);
    const poolGrid = poolName ? gridOf(graph, poolName) : undefined;
    // LiteRT.js hands out float32, int32 and uint8 tensors only: an int8 pooled tensor stays inside.
    const poolExposable = poolName !== undefined && (!poolGrid || poolGrid.qmin >= 0);
    // A file the package wrote carries the pooled features as a float32 output of its own (an int8
    // file's pooled tensor could not be passed out); any other file gets its pooled tensor exposed.
    const written = imported.embeddingOutput;
    const exposed =
      written !== undefined
        ? { bytes, position: written }
        : poolExposable
          ? withExtraOutput(bytes, tensorIndex(poolName))
          : undefined;
    const compiled = await CompiledTflite.compile(exposed?.bytes ?? bytes, liteRtWasm);
    try {
      const toInput = inputConverter(compiled.inputs[0].dtype, graph.input.quant);
      const scoresGrid = gridOf(graph, graph.output);
      const size = (position: number): number => elementCount(compiled.outputs[position].shape);
      return {
        engine: 'litert',
        backend: `litert-wasm (${compiled.runtime.build})`,
        inputShape: graph.input.shape,
        mode,
        embeddedLabels: imported.labels,
        scores: imported.scores,
        // A written file takes real values: its normalisation is the source model's, decided above.
        ...(mode === 'tflite-file' ? { normalization: imported.normalization } : {}),
        hasEmbedding: exposed !== undefined,
        outputSizes: { classes: size(0), embedding: exposed ? size(exposed.position) : 0 },
        async run(input, options) {
          const outputs = await compiled.run([toInput(input)]);
          const raw = dequantize(outputs[0], scoresGrid);
          const scores = options.softmax ? softmax(raw) : raw;
          if (!options.embedding || !exposed) return { scores };
          return { scores, embedding: dequantize(outputs[exposed.position], poolGrid) };
        },
        memory: () => {
          // TF.js is only used (and only has a backend here) when it read a layers model for the writer.
          const { numTensors, numBytes } = tfMemory();
          return { objects: liveLiteRtObjects() + numTensors, bytes: numBytes };
        },
        dispose: () => compiled.delete(),
      };
    } catch (error) {
      compiled.delete();
      throw error;
    }
  },
};
