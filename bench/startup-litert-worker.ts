/**
 * The lean LiteRT.js pipeline's worker (bench/startup-child.ts, mode `lean-litert`): compiles one `.tflite` with
 * LiteRT.js (its browser shim must stay off the main thread), runs the one input it is sent, answers the scores.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CompiledTflite } from '../src/engine/litert/compiled-tflite';

const compiled = CompiledTflite.compile(new Uint8Array(fs.readFileSync(workerData as string)));

parentPort?.once('message', (input: Float32Array) => {
  compiled
    .then(async (model) => {
      const [scores] = await model.run([input]);
      model.delete();
      parentPort?.postMessage(scores.data);
    })
    .catch((error: unknown) => parentPort?.postMessage({ error: String(error) }));
});
