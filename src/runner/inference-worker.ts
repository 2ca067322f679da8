import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelLoadError } from '../model/errors';
import type { PrecompiledLiteRt } from '../engine/litert/shared-wasm';
import type { ModelInput } from '../engine/model-input';
import type { FromWorker, LoadSpec, ToWorker, WorkerModelInfo } from './protocol';

/**
 * What every worker of a pool loads. LiteRT.js's wasm module may still be compiling on this thread, and a layers
 * model's written `.tflite` still being looked up (writtenTfliteFor).
 */
export interface WorkerSpec extends LoadSpec {
  liteRtWasm?: Promise<PrecompiledLiteRt | undefined>;
  writtenTflite?: Promise<string | undefined>;
}

interface Pending {
  resolve(message: FromWorker): void;
  reject(error: Error): void;
}

/** The main-thread end of one inference worker: request/response over postMessage. */
export class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private loadWaiter?: Pending;
  private exitError?: Error;

  private constructor() {
    this.worker = new Worker(path.join(__dirname, 'worker.js'));
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`Inference worker exited (code ${code})`)));
  }

  static async start(spec: WorkerSpec): Promise<{ worker: InferenceWorker; info: WorkerModelInfo }> {
    const worker = new InferenceWorker();
    try {
      // The thread starts, loads its modules and reads the model while LiteRT.js's wasm module compiles here; the
      // module follows in a message of its own (precompiledLiteRt never rejects: undefined when it failed).
      const { backend, engine, liteRtWasm } = spec;
      // Found while the thread boots (hashing the weights takes a fraction of that), so it costs no wait.
      const writtenTflite = await spec.writtenTflite;
      const model = writtenTflite ? { ...spec.model, writtenTflite } : spec.model;
      const reply = await new Promise<FromWorker>((resolve, reject) => {
        worker.loadWaiter = { resolve, reject };
        worker.send({ type: 'load', model, backend, engine, liteRtWasmFollows: liteRtWasm !== undefined });
        void liteRtWasm?.then((compiled) => {
          if (worker.alive) worker.send({ type: 'litert-wasm', liteRtWasm: compiled });
        });
      });
      if (reply.type === 'load-error') throw new ModelLoadError(reply.message);
      if (reply.type !== 'loaded') throw new Error(`Unexpected worker reply "${reply.type}" while loading`);
      return { worker, info: reply.info };
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  /** One pass through the network; with `embedding`, the L2-normalised pooled features of that same pass too. */
  async infer(
    input: ModelInput,
    embedding = false,
  ): Promise<{ scores: Float32Array; embedding?: Float32Array; inferenceMs: number }> {
    // Real values are handed over; a frame's pixels are copied (150 KB at 224×224), as the caller may still
    // encode or return them.
    const transfer = input instanceof Float32Array ? [input.buffer as ArrayBuffer] : [];
    const reply = await this.request((id) => ({ type: 'infer', id, input, embedding }), transfer);
    if (reply.type === 'infer-error') throw new Error(reply.message);
    if (reply.type !== 'result') throw new Error(`Unexpected worker reply "${reply.type}"`);
    return { scores: reply.scores, embedding: reply.embedding, inferenceMs: reply.inferenceMs };
  }

  /**
   * Engine objects alive in the worker (TF.js tensors, LiteRT.js tensors and models; the leak check tests rely
   * on it), TF.js tensor bytes, and its passes through the network.
   */
  async memory(): Promise<{ numTensors: number; numBytes: number; executions: number }> {
    const reply = await this.request((id) => ({ type: 'memory', id }));
    if (reply.type !== 'memory') throw new Error(`Unexpected worker reply "${reply.type}"`);
    return { numTensors: reply.numTensors, numBytes: reply.numBytes, executions: reply.executions };
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** False once the thread has died (crash, out of memory) or was terminated: it answers nothing more. */
  get alive(): boolean {
    return this.exitError === undefined;
  }

  /** Why the thread stopped, once it has. */
  get exitReason(): string | undefined {
    return this.exitError?.message;
  }

  async terminate(): Promise<void> {
    this.exitError = new Error('Inference worker was disposed');
    await this.worker.terminate();
  }

  private request(build: (id: number) => ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send(build(id), transfer);
    });
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromWorker): void {
    if (message.type === 'loaded' || message.type === 'load-error') {
      this.loadWaiter?.resolve(message);
      this.loadWaiter = undefined;
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    pending.resolve(message);
  }

  private failAll(error: Error): void {
    this.exitError ??= error;
    this.loadWaiter?.reject(this.exitError);
    this.loadWaiter = undefined;
    for (const pending of this.pending.values()) pending.reject(this.exitError);
    this.pending.clear();
  }
}
