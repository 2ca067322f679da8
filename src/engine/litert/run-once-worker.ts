/** A short-lived worker for runTflite: LiteRT.js and its shim live and die with this thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { toError } from '../../to-error';
import { CompiledTflite } from './compiled-tflite';
import { liveLiteRtObjects } from './ledger';
import type { RunTfliteReply, RunTfliteRequest } from './run-once';

async function main(request: RunTfliteRequest): Promise<RunTfliteReply> {
  const model = await CompiledTflite.compile(request.bytes, request.liteRtWasm);
  try {
    const runs = [];
    for (const inputs of request.inputSets) runs.push(await model.run(inputs));
    const { build, wasmSource } = model.runtime;
    return { ok: true, build, wasmSource, inputs: model.inputs, runs, liveAfter: 0 };
  } finally {
    model.delete();
  }
}

main(workerData as RunTfliteRequest)
  .then((reply) => parentPort?.postMessage({ ...reply, liveAfter: liveLiteRtObjects() }))
  .catch((error: unknown) => parentPort?.postMessage({ ok: false, message: toError(error).message }));
