// The module object itself (not an import-star copy of it), so that replacing Worker reaches every importer.
import workerThreads = require('node:worker_threads');
import { onTeardown } from './teardown';

/**
 * Records every worker thread started from now until the end of the test, as the real Worker
 * objects: a test can then end one the way a crash or an out-of-memory kill would, without
 * reaching into the object that owns it. The module's Worker is restored after the test.
 */
export function recordWorkers(): workerThreads.Worker[] {
  const started: workerThreads.Worker[] = [];
  const module: { Worker: typeof workerThreads.Worker } = workerThreads;
  const original = module.Worker;
  module.Worker = class RecordedWorker extends original {
    constructor(...args: ConstructorParameters<typeof original>) {
      super(...args);
      started.push(this);
    }
  };
  onTeardown('restore worker_threads.Worker', () => {
    module.Worker = original;
  });
  return started;
}

/**
 * Makes one worker thread slow, the way a worker whose core is taken by something else is: every
 * frame posted to it reaches it `ms` later. The model in it still runs each frame for real.
 */
export function delayFrames(worker: workerThreads.Worker, ms: number): void {
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (message: unknown, transfer?: readonly workerThreads.TransferListItem[]) => {
    if ((message as { type?: unknown } | null)?.type === 'infer') setTimeout(() => post(message, transfer), ms);
    else post(message, transfer);
  };
}
