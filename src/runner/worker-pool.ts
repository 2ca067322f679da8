import { toError } from '../to-error';
import { InferenceWorker, type WorkerSpec } from './inference-worker';
import type { WorkerModelInfo } from './protocol';
import type { ModelInput } from '../engine/model-input';

/** What one worker gives back for one frame, and when the frame got a worker (to tell waiting from working). */
export interface PoolInference {
  scores: Float32Array;
  embedding?: Float32Array;
  inferenceMs: number;
  /** performance.now() when a worker was free for this frame. */
  startedAt: number;
}

/** What the workers were started with, to start a new one when one dies. */
export type { WorkerSpec };

/**
 * N inference workers, each holding its own copy of one model. A frame goes to whichever worker is
 * free (the longest-waiting frame first); with all busy it waits here. A worker that died (a wasm
 * abort, the thread killed for memory) is replaced by a new one when a frame next needs it: that
 * frame waits for the load, and if the load fails, it fails with both reasons and the next frame
 * tries again. Workers still alive are preferred, so one that cannot be restarted only costs capacity.
 */
export class WorkerPool {
  private readonly idle: number[];
  private readonly waiting: Array<{ resolve(slot: number): void; reject(error: Error): void }> = [];
  private terminated = false;
  /** Workers that died and were replaced since load. */
  restarts = 0;

  private constructor(
    private readonly slots: InferenceWorker[],
    private readonly spec: WorkerSpec,
  ) {
    this.idle = slots.map((_, index) => index);
  }

  /**
   * Starts `count` workers at once and waits until each has loaded the model. If any fails, the
   * others are ended and the first failure is thrown (they all load the same file, so it is the same).
   */
  static async start(count: number, spec: WorkerSpec): Promise<{ pool: WorkerPool; info: WorkerModelInfo }> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => InferenceWorker.start(spec)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
      throw failure.reason;
    }
    return {
      pool: new WorkerPool(
        workers.map((w) => w.worker),
        spec,
      ),
      info: workers[0].info,
    };
  }

  get size(): number {
    return this.slots.length;
  }

  /** Workers running a frame now. */
  get busy(): number {
    return this.slots.length - this.idle.length;
  }

  /** One pass through the network on the first free worker. */
  async infer(input: ModelInput, embedding: boolean): Promise<PoolInference> {
    const slot = await this.acquire();
    const startedAt = performance.now();
    try {
      const worker = this.slots[slot].alive ? this.slots[slot] : await this.replace(slot);
      return { ...(await worker.infer(input, embedding)), startedAt };
    } finally {
      this.release(slot);
    }
  }

  /**
   * TF.js memory summed over the workers alive now, and their passes through the network: the leak
   * checks compare two of these, so a tensor left behind in any worker shows.
   */
  async memory(): Promise<{ numTensors: number; numBytes: number; executions: number }> {
    const each = await this.memoryEach();
    return {
      numTensors: each.reduce((sum, m) => sum + m.numTensors, 0),
      numBytes: each.reduce((sum, m) => sum + m.numBytes, 0),
      executions: each.reduce((sum, m) => sum + m.executions, 0),
    };
  }

  /** The same, for each worker alive now, in slot order. */
  memoryEach(): Promise<Array<{ numTensors: number; numBytes: number; executions: number }>> {
    return Promise.all(this.slots.filter((w) => w.alive).map((w) => w.memory()));
  }

  /** Each worker's thread id, in slot order (a replaced worker shows its new id). */
  threadIds(): number[] {
    return this.slots.map((w) => w.threadId);
  }

  /** Ends every worker. Frames still waiting for one fail. */
  async terminate(): Promise<void> {
    this.terminated = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('Inference workers were disposed'));
    await Promise.all(this.slots.map((w) => w.terminate()));
  }

  private acquire(): Promise<number> {
    if (this.terminated) return Promise.reject(new Error('Inference workers were disposed'));
    if (this.idle.length === 0) return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
    const alive = this.idle.findIndex((slot) => this.slots[slot].alive);
    // A live worker first; a dead one only when no other is free (it is then replaced).
    return Promise.resolve(this.idle.splice(Math.max(alive, 0), 1)[0]);
  }

  private release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next.resolve(slot);
    else this.idle.push(slot);
  }

  private async replace(slot: number): Promise<InferenceWorker> {
    const dead = this.slots[slot];
    let worker: InferenceWorker;
    try {
      ({ worker } = await InferenceWorker.start(this.spec));
    } catch (error) {
      const why = toError(error).message;
      throw new Error(
        `Inference worker had stopped (${dead.exitReason ?? 'unknown reason'}) and could not be restarted: ${why}`,
      );
    }
    if (this.terminated) {
      // Disposed while the new worker loaded: nobody will use it.
      await worker.terminate();
      throw new Error('Inference workers were disposed');
    }
    this.slots[slot] = worker;
    this.restarts++;
    await dead.terminate();
    return worker;
  }
}
