import type { BackendName } from '../engine/backend-names';
import { DEFAULT_ENGINE, type EngineChoice, type EngineName } from '../engine/engine';
import { precompiledLiteRt } from '../engine/litert/shared-wasm';
import { writtenTfliteFor } from '../engine/tflite-for';
import { liteRtUnsupportedReason } from '../engine/litert/unsupported';
import type { PixelFrame } from '../engine/model-input';
import { encodeRgbJpeg } from '../image/encode-jpeg';
import { prepareImage } from '../image/preprocess';
import { preloadImageDecoder } from '../image/sharp-runtime';
import type { FitMode, ImageInput, RawImage, Roi } from '../image/types';
import { finishFingerprint, hashWeights } from '../model/fingerprint';
import { alignLabels } from '../model/labels';
import { imagenetLabels } from '../zoo/imagenet';
import type { ModelFormat } from '../model/model-format';
import { MINUS_ONE_TO_ONE, type Normalization } from '../model/normalization';
import { resolveModel } from '../resolve/resolve-model';
import type { ModelOptions, ResolvedModel } from '../resolve/resolved-model';
import { FrameQueue, type QueuePolicy } from './frame-queue';
import type { ExecutionMode } from '../engine/load-executable';
import { InOrderRelease } from './in-order';
import { defaultWorkers } from './worker-count';
import { WorkerPool, type WorkerSpec } from './worker-pool';
import { LatencyWindow, RateMeter } from './latency-stats';
import { checkClassifierOptions, checkClassifyOptions } from './classifier-options';
import { topPredictions, type Prediction, type PredictionFilter } from './predictions';
import { toError } from '../to-error';

/** What to load and how to run it: the model (see ModelOptions) plus backend, queue and image limits. */
export interface ClassifierOptions extends ModelOptions {
  /**
   * What runs the model: litert (LiteRT.js, the TFLite interpreter with XNNPACK, in wasm), tfjs (the
   * fused TF.js graph), or auto (LiteRT.js where it can run the model, else TF.js; `info` says why).
   */
  engine?: EngineChoice;
  /** auto (tfjs-node if installed, else wasm), wasm, tfjs-node or cpu. */
  backend?: BackendName;
  /**
   * Frames waiting for the model (default 4), not counting those in the workers' hands: each worker
   * has up to two, one in it and one being decoded and resized for it.
   */
  queueSize?: number;
  /** What happens when the queue is full (default drop-oldest: the freshest frames win). */
  queuePolicy?: QueuePolicy;
  /** Default fit for every frame (default cover: centre crop). */
  fit?: FitMode;
  /** Largest image accepted, in pixels (decompression-bomb guard; default 50 megapixels). */
  maxPixels?: number;
  /** Largest metadata (EXIF, XMP, ICC, PNG text, inflated) accepted, in bytes (metadata-bomb guard; default 16 MiB). */
  maxMetadataBytes?: number;
  /** Run layers models as-is instead of as the fused graph. */
  unfused?: boolean;
  /** TFLite: skip activation re-quantisation (faster, less faithful to the interpreter). */
  float?: boolean;
  /**
   * Inference worker threads, each with its own copy of the model, 1..16 (default: one per core but
   * one, at least 1). Frames go to whichever worker is free; results still come out in frame order.
   */
  workers?: number;
}

/** Per-frame options of `classify`: the prediction filter, a region of interest and the fit. */
export interface ClassifyOptions extends PredictionFilter {
  roi?: Roi;
  fit?: FitMode;
  /**
   * Also return the image's embedding: the L2-normalised output of the model's global average
   * pooling, from the same single pass that gives the scores (no second inference).
   */
  embedding?: boolean;
  /**
   * Also return the pixels the model was given (after orientation, ROI crop, fit and resize; before
   * normalisation), e.g. to store as a label set's thumbnail without decoding the image a second time.
   */
  keepInput?: boolean;
  /**
   * Also return those pixels as a JPEG (quality 90), encoded while the model runs: a label set example's
   * crop (`LabelSet.add`) without a second decode or resize, and on a board with a spare core without
   * waiting for the encode.
   */
  inputJpeg?: boolean;
}

/** Where one frame's time went, in milliseconds. */
export interface Timings {
  /** Decode, orient, crop and resize (on this thread and libuv's). */
  preprocessMs: number;
  /** Time spent waiting: in the queue before work started, and for a free worker. */
  queueMs: number;
  /** The pass through the network, measured in the worker, with turning the pixels into the model's input. */
  inferenceMs: number;
  /** From classify() to result (including any wait for an older frame's result to go out first). */
  totalMs: number;
  /** The engine that ran the model on this frame (litert or tfjs). */
  engine: EngineName;
}

/** One classified frame: the predictions best first, the top one, the model name and the timings. */
export interface ClassifyResult {
  predictions: Prediction[];
  top: Prediction | null;
  model: string;
  timings: Timings;
  /** Present when asked for with `{embedding: true}`: unit length, `info.embeddingSize` values. */
  embedding?: Float32Array;
  /** Present when asked for with `{keepInput: true}`: the model's input as RGB pixels (input size). */
  input?: RawImage;
  /** Present when asked for with `{inputJpeg: true}`: the model's input pixels as a JPEG. */
  inputJpeg?: Buffer;
}

/** What classify() gives when asked for the embedding. */
export type ClassifyResultWithEmbedding = ClassifyResult & { embedding: Float32Array };

/** What was loaded and how it runs: format, backend, execution mode, input size, labels, normalisation. */
export interface ModelInfo {
  name: string;
  format: ModelFormat;
  /** The engine that runs the model, after `auto` was resolved. */
  engine: EngineName;
  /** Why `auto` runs the model on TF.js rather than LiteRT.js, when it does. */
  engineFallbackReason?: string;
  /** What runs the kernels: the TF.js backend (e.g. `wasm`) or the LiteRT.js build (e.g. `litert-wasm (compat)`). */
  backend: string;
  mode: ExecutionMode;
  /** Why the model runs as the library's own model object instead of the fused graph, when it does. */
  fallbackReason?: string;
  inputSize: { width: number; height: number };
  classes: number;
  labelsSource: string;
  normalization: Normalization;
  teachableMachine: boolean;
  /** Inference worker threads running the model, each with its own copy. */
  workers: number;
  /** Length of the embedding (V1: 1024·α, V2: 1280); 0 when the model has no global average pooling. */
  embeddingSize: number;
  /**
   * Stable identity of what an embedding depends on (weight bytes, input size, normalisation):
   * embeddings are comparable only between classifiers with the same fingerprint.
   */
  fingerprint: string;
  loadMs: number;
}

/** Counters and latency percentiles since load: what the model config node shows and MQTT stats report. */
export interface ClassifierStats {
  accepted: number;
  completed: number;
  dropped: number;
  failed: number;
  depth: number;
  inFlight: number;
  /**
   * Results that were ready before an older frame's and waited for it, so that results come out in
   * frame order (only possible with more than one worker).
   */
  heldForOrder: number;
  /** Inference worker threads, and how many of them run a frame now. */
  workers: { size: number; busy: number; restarts: number };
  fps: number;
  latencyMs: { p50?: number; p95?: number; p99?: number };
  inferenceMs: { p50?: number; p95?: number };
}

/**
 * The model's own labels when it has any; else, for a model with 1000 or 1001 outputs (ImageNet,
 * with or without background), the ImageNet class names; else `class N`.
 */
function chooseLabels(
  resolved: ResolvedModel,
  embedded: string[] | undefined,
  classes: number,
): { labels: string[]; labelsSource: string } {
  if (resolved.labels)
    return {
      labels: alignLabels(resolved.labels, classes, resolved.labelsSource),
      labelsSource: resolved.labelsSource,
    };
  if (embedded)
    return { labels: alignLabels(embedded, classes, 'the TFLite metadata'), labelsSource: 'tflite metadata' };
  if (classes === 1000 || classes === 1001)
    return { labels: imagenetLabels(classes), labelsSource: `ImageNet (assumed from ${classes} outputs)` };
  return { labels: Array.from({ length: classes }, (_, i) => `class ${i}`), labelsSource: 'none (class N)' };
}

/** What one frame came to: the result, or why there is none. */
type Outcome = { result: ClassifyResult } | { error: Error };

interface Job {
  image: ImageInput;
  options: ClassifyOptions;
  enqueuedAt: number;
  resolve(result: ClassifyResult): void;
  reject(error: Error): void;
}

let poolOf: (classifier: Classifier) => WorkerPool;

/**
 * One loaded model behind a bounded queue, classifying in worker threads (`workers`, one by
 * default on two cores). Any number of callers may share it; frames leave the queue in arrival
 * order, and their results come out in that order too. Load with `Classifier.load`, end with `dispose`.
 */
export class Classifier {
  static {
    // Only the diagnostics below read the workers from outside the class.
    poolOf = (classifier) => classifier.pool;
  }

  private readonly queue: FrameQueue<Job>;
  private readonly latency = new LatencyWindow();
  private readonly inference = new LatencyWindow();
  private readonly rate = new RateMeter();
  private counters = { accepted: 0, completed: 0, failed: 0 };
  private readonly order = new InOrderRelease();
  /** Frames taken from the queue and not yet handed back: preparing, waiting for or in a worker, held for order. */
  private readonly running = new Set<Promise<void>>();
  private disposed = false;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly labels: string[],
    /** What was loaded and how it runs. */
    readonly info: ModelInfo,
    /** Where the model lives on disk (the cache entry for downloaded models). */
    readonly localPath: string,
    private readonly options: ClassifierOptions,
  ) {
    this.queue = new FrameQueue<Job>(options.queueSize ?? 4, options.queuePolicy ?? 'drop-oldest', () => this.pump());
  }

  /**
   * Finds the model (catalog name, directory, `.tflite` file or URL; downloading and caching it
   * once), loads it into a new worker thread and returns a classifier ready for frames.
   *
   * @throws {TypeError} options that are not what the library accepts (the message lists what is).
   * @throws {ModelLoadError} a model that cannot be found, read or understood.
   * @throws {DownloadError} a model URL or catalog download that fails or fails its checks.
   */
  static async load(options: ClassifierOptions): Promise<Classifier> {
    checkClassifierOptions(options);
    const resolved = await resolveModel(options);
    const workerSpec: WorkerSpec = {
      model: { format: resolved.format, path: resolved.localPath, unfused: options.unfused, float: options.float },
      backend: options.backend ?? 'auto',
      engine: options.engine ?? DEFAULT_ENGINE,
    };
    // Compiled once here for every worker (and every classifier in this process) instead of once per worker.
    if (workerSpec.engine !== 'tfjs' && !liteRtUnsupportedReason(workerSpec.model)) {
      workerSpec.liteRtWasm = precompiledLiteRt();
      // Looked up here, while the workers boot, rather than by hashing the weights again in every worker.
      if (resolved.format === 'layers') {
        workerSpec.writtenTflite = writtenTfliteFor(resolved.localPath).catch(() => undefined);
      }
    }
    const starting = WorkerPool.start(options.workers ?? defaultWorkers(), workerSpec);
    const weights = hashWeights({ format: resolved.format, path: resolved.localPath });
    // Awaited once the workers answer; a failure before then must not count as unhandled.
    weights.catch(() => undefined);
    // The workers load TF.js and the model on their own threads meanwhile: this one loads the image decoder the first
    // frame needs, once the written file is found (requiring sharp holds this thread for tens of ms, and the workers
    // wait for that path). A decoder that fails to load is reported by that frame, with the frame.
    const decoderLoaded = (workerSpec.writtenTflite ?? Promise.resolve()).then(() => {
      try {
        preloadImageDecoder();
      } catch {
        // said by the first classify
      }
    });
    const { pool, info } = await starting;
    await decoderLoaded;
    try {
      const { labels, labelsSource } = chooseLabels(resolved, info.embeddedLabels, info.classes);
      const [height, width] = info.inputShape;
      // Options win, then the file itself (TFLite quantised input), then the catalog, then Keras' [-1, 1].
      const normalization = options.normalization ?? info.normalization ?? resolved.normalization ?? MINUS_ONE_TO_ONE;
      const fingerprint = finishFingerprint(await weights, { inputShape: info.inputShape, normalization });
      const modelInfo: ModelInfo = {
        name: resolved.name,
        format: resolved.format,
        engine: info.engine,
        ...(info.engineFallbackReason ? { engineFallbackReason: info.engineFallbackReason } : {}),
        backend: info.backend,
        mode: info.mode,
        fallbackReason: info.fallbackReason,
        inputSize: { width, height },
        classes: info.classes,
        labelsSource,
        normalization,
        teachableMachine: resolved.teachableMachine,
        workers: pool.size,
        embeddingSize: info.embeddingSize,
        fingerprint,
        loadMs: info.loadMs,
      };
      return new Classifier(pool, labels, modelInfo, resolved.localPath, options);
    } catch (error) {
      await pool.terminate();
      throw error;
    }
  }

  /**
   * Classifies one image: decoded, oriented, cropped and resized on the libuv pool, then run in
   * a free worker. Frames wait in a bounded queue whose policy decides what happens when it is full;
   * results come out in the order frames were accepted, whichever worker finishes first.
   * With `{embedding: true}` the result also carries the image's embedding, from the same inference.
   *
   * @throws {TypeError} classify options that are not what the library accepts.
   * @throws {ImageError} an image that is not one (undecodable, too large, bad raw size or ROI); see `code`.
   * @throws {FrameDroppedError} a frame the full queue refused or evicted, or dropped by `dispose`.
   * @throws {Error} the model failing on the frame, or its worker thread dying and not restarting.
   */
  classify(image: ImageInput, options: ClassifyOptions & { embedding: true }): Promise<ClassifyResultWithEmbedding>;
  classify(image: ImageInput, options?: ClassifyOptions): Promise<ClassifyResult>;
  classify(image: ImageInput, options: ClassifyOptions = {}): Promise<ClassifyResult> {
    if (this.disposed) return Promise.reject(new Error('Classifier has been disposed'));
    try {
      checkClassifyOptions(options);
      if (options.embedding && this.info.embeddingSize === 0) {
        throw new Error(`Model "${this.info.name}" has no global average pooling to take an embedding from`);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    this.counters.accepted++;
    return new Promise<ClassifyResult>((resolve, reject) => {
      const job: Job = { image, options, enqueuedAt: performance.now(), resolve, reject };
      void this.queue.push(job, (error) => reject(error));
    });
  }

  /**
   * The image's embedding: the L2-normalised output of the model's global average pooling
   * (`info.embeddingSize` values), from one inference that goes through the same queue as classify().
   */
  async embed(image: ImageInput, options: Omit<ClassifyOptions, 'embedding'> = {}): Promise<Float32Array> {
    const result = await this.classify(image, { ...options, embedding: true });
    return result.embedding;
  }

  /** Counters and latency percentiles since load. */
  stats(): ClassifierStats {
    return {
      ...this.counters,
      dropped: this.queue.dropped,
      depth: this.queue.depth + this.queue.waiting,
      inFlight: this.running.size,
      heldForOrder: this.order.held,
      workers: { size: this.pool.size, busy: this.pool.busy, restarts: this.pool.restarts },
      fps: this.rate.rate(),
      latencyMs: {
        p50: this.latency.percentile(50),
        p95: this.latency.percentile(95),
        p99: this.latency.percentile(99),
      },
      inferenceMs: { p50: this.inference.percentile(50), p95: this.inference.percentile(95) },
    };
  }

  /** Lets the frames in progress finish, drops (and reports) the rest, and ends the workers. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.queue.clear('classifier is shutting down');
    await Promise.all(this.running);
    await this.pool.terminate();
  }

  /**
   * Takes frames from the queue while there is room: each worker may have one frame in it and one
   * more being decoded and resized (on the libuv pool) for it, so on two cores a frame costs
   * max(preprocess, inference) rather than their sum. A result held for an older frame still
   * counts, so a slow frame cannot let the others run away from it; the rest stay in the queue,
   * where the drop policy applies.
   */
  private pump(): void {
    while (this.running.size < 2 * this.pool.size) {
      const job = this.queue.shift();
      if (!job) return;
      const ticket = this.order.take();
      const run: Promise<void> = this.process(job).then((outcome) => {
        this.order.complete(ticket, () => {
          this.deliver(job, outcome);
          this.running.delete(run);
        });
        this.pump();
      });
      this.running.add(run);
    }
  }

  /** Prepare, then infer on the first free worker; never rejects (a failure is the outcome). */
  private async process(job: Job): Promise<Outcome> {
    const prepared = await this.prepare(job);
    try {
      if ('error' in prepared) throw prepared.error;
      const { scores, embedding, inferenceMs, startedAt } = await this.pool.infer(
        prepared.input,
        job.options.embedding === true,
      );
      const predictions = topPredictions(scores, this.labels, job.options);
      const inputJpeg = prepared.jpeg ? await prepared.jpeg : undefined;
      // Waiting for a free worker counts as queueing.
      const queueMs = prepared.started - job.enqueuedAt + (startedAt - prepared.started - prepared.preprocessMs);
      const timings: Timings = {
        preprocessMs: prepared.preprocessMs,
        queueMs,
        inferenceMs,
        totalMs: 0,
        engine: this.info.engine,
      };
      const result: ClassifyResult = {
        predictions,
        top: predictions[0] ?? null,
        model: this.info.name,
        timings,
        ...(embedding ? { embedding } : {}),
        ...(prepared.pixels ? { input: prepared.pixels } : {}),
        ...(inputJpeg ? { inputJpeg } : {}),
      };
      return { result };
    } catch (error) {
      return { error: toError(error) };
    }
  }

  /** Hands a frame's outcome to its caller, in frame order (see InOrderRelease). */
  private deliver(job: Job, outcome: Outcome): void {
    if ('error' in outcome) {
      this.counters.failed++;
      job.reject(outcome.error);
      return;
    }
    const { result } = outcome;
    result.timings.totalMs = performance.now() - job.enqueuedAt;
    this.counters.completed++;
    this.latency.add(result.timings.totalMs);
    this.inference.add(result.timings.inferenceMs);
    this.rate.tick();
    job.resolve(result);
  }

  /** Decode and fit (the worker normalises); never rejects (a failure is carried to process()). */
  private async prepare(job: Job): Promise<Prepared> {
    const started = performance.now();
    try {
      const { width, height } = this.info.inputSize;
      const image = await prepareImage(job.image, {
        width,
        height,
        fit: job.options.fit ?? this.options.fit ?? 'cover',
        roi: job.options.roi,
        maxPixels: this.options.maxPixels,
        maxMetadataBytes: this.options.maxMetadataBytes,
      });
      // Pixels, not real values: the worker normalises (or, on a quantised input, looks the pixels up).
      const input: PixelFrame = { rgb: image.rgb, normalization: this.info.normalization };
      const rgb = { data: image.rgb, width: image.width, height: image.height, channels: 3 };
      const pixels = job.options.keepInput ? rgb : undefined;
      // Started now, so the encode runs on a libuv thread while a worker runs the model; process() awaits it.
      const jpeg = job.options.inputJpeg ? encodeRgbJpeg(rgb) : undefined;
      jpeg?.catch(() => undefined);
      return { started, input, pixels, jpeg, preprocessMs: performance.now() - started };
    } catch (error) {
      return { started, error: toError(error) };
    }
  }
}

type Prepared =
  | { started: number; input: PixelFrame; pixels?: RawImage; jpeg?: Promise<Buffer>; preprocessMs: number }
  | { started: number; error: Error };

/**
 * Diagnostics, not a stable API: what runs inside a classifier's worker thread, for leak checks,
 * soak runs and benchmarks. Flows and library users have no need of it; names may change.
 */
export const classifierDiagnostics = {
  /**
   * TF.js memory inside the workers, summed (the tensor count should stay flat between frames), and
   * how many passes through the network they have made since load, the warm-ups included.
   */
  workerMemory(classifier: Classifier): Promise<{ numTensors: number; numBytes: number; executions: number }> {
    return poolOf(classifier).memory();
  },
  /** The same for each worker alive now, in slot order: how the frames were shared out. */
  eachWorkerMemory(
    classifier: Classifier,
  ): Promise<Array<{ numTensors: number; numBytes: number; executions: number }>> {
    return poolOf(classifier).memoryEach();
  },
  /** The first worker thread's id: a new one once a worker that died has been replaced. */
  workerThreadId(classifier: Classifier): number {
    return poolOf(classifier).threadIds()[0];
  },
  /** Every worker thread's id, in slot order. */
  workerThreadIds(classifier: Classifier): number[] {
    return poolOf(classifier).threadIds();
  },
};
