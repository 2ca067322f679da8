import { EventEmitter } from 'node:events';
import {
  type ImageInput,
  FrameQueue,
  Classifier,
  classifierDiagnostics,
  type ClassifierOptions,
  type ClassifierStats,
  type ClassifyOptions,
  type ClassifyResult,
  type ModelInfo,
  type DownloadProgress,
  DownloadMeter,
  formatDownloadLine,
  ProgressLineSchedule,
  toError,
} from '../../src';
import type { Translate } from '../shared/translate';
import { withAdvice } from '../shared/model-advice';

/**
 * Loaded models outlive the Node-RED config nodes that name them. Node-RED re-creates every
 * config node on a full deploy; a model kept here under (config node id, settings hash) is picked
 * up again by the re-created node instead of being loaded a second time. An entry is disposed a
 * little after its last user leaves, which is long enough for a redeploy to come back for it.
 */

export interface LoadProgress {
  /** 0..100 when the size is known. */
  percent?: number;
  filesDone: number;
  filesTotal: number;
  /** A line for the log (bytes, rate, time left), set every 10% or 10 s of a download: "42% · 1.40 MiB · …". */
  logLine?: string;
}

export type ModelState =
  | { phase: 'loading'; progress?: LoadProgress }
  | { phase: 'ready'; info: ModelInfo }
  | {
      phase: 'error';
      error: Error /** The model as configured (catalog name, path or URL), for advice. */;
      model: string;
    };

export interface QueueStats {
  /** Frames dropped so far, while loading and after (the queue is shared by every user). */
  dropped: number;
  /** Frames waiting, while loading and after. */
  depth: number;
  /** Results held back until an older frame's was out, so none is sent out of order (several workers only). */
  heldForOrder: number;
}

interface PendingJob {
  image: ImageInput;
  options: ClassifyOptions;
  resolve(result: ClassifyResult): void;
  reject(error: Error): void;
}

type Loader = (options: ClassifierOptions) => Promise<Classifier>;

const PROGRESS_EVERY_MS = 250;

function percentOf(progress: DownloadProgress): number | undefined {
  const fileShare = progress.totalBytes ? Math.min(1, progress.bytes / progress.totalBytes) : 0;
  // The last event of a file may report it both done and fully read, so cap the sum.
  if (progress.filesTotal > 1)
    return Math.min(100, Math.floor(((progress.filesDone + fileShare) / progress.filesTotal) * 100));
  return progress.totalBytes ? Math.floor(fileShare * 100) : undefined;
}

let classifierOf: (model: SharedModel) => Classifier | undefined;

/** One model, loaded once, shared by every classify node using one config node. */
export class SharedModel extends EventEmitter {
  static {
    // Only the diagnostics below read the classifier from outside the class.
    classifierOf = (model) => model.classifier;
  }

  state: ModelState = { phase: 'loading' };
  readonly users = new Set<object>();
  disposeTimer?: NodeJS.Timeout;
  private classifier?: Classifier;
  // Frames that arrive before the model is ready wait here, under the same bound and policy.
  private readonly pending: FrameQueue<PendingJob>;
  private disposed = false;
  private lastProgressAt = 0;
  /** Bytes, rate and time left of a download, for the log lines users of `npm start` read. */
  private readonly meter = new DownloadMeter();
  private readonly logSchedule = new ProgressLineSchedule();

  constructor(
    readonly key: string,
    private readonly options: ClassifierOptions,
    load: Loader,
    /** Reads `mobilenet-model.<key>`: the errors frames get are the config node's. */
    private readonly t: Translate,
  ) {
    super();
    this.pending = new FrameQueue<PendingJob>(
      options.queueSize ?? 4,
      options.queuePolicy ?? 'drop-oldest',
      () => undefined,
    );
    load({ ...options, onProgress: (p) => this.onProgress(p) }).then(
      (classifier) => this.onLoaded(classifier),
      (error: unknown) => this.onFailed(toError(error)),
    );
  }

  classify(image: ImageInput, options: ClassifyOptions): Promise<ClassifyResult> {
    if (this.disposed) return Promise.reject(new Error(this.t('errors.unloaded')));
    if (this.classifier) return this.classifier.classify(image, options);
    if (this.state.phase === 'error') return Promise.reject(this.loadFailure(this.state.error));
    return new Promise<ClassifyResult>((resolve, reject) => {
      void this.pending.push({ image, options, resolve, reject }, (error) => reject(error));
    });
  }

  queueStats(): QueueStats {
    const stats = this.classifier?.stats();
    return {
      dropped: this.pending.dropped + (stats?.dropped ?? 0),
      depth: this.pending.depth + this.pending.waiting + (stats?.depth ?? 0),
      heldForOrder: stats?.heldForOrder ?? 0,
    };
  }

  stats(): ClassifierStats | undefined {
    return this.classifier?.stats();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.disposeTimer);
    this.pending.clear('the model is being unloaded');
    this.removeAllListeners();
    const classifier = this.classifier;
    this.classifier = undefined;
    if (classifier) {
      alive.delete(classifier);
      await classifier.dispose();
    }
  }

  private onProgress(progress: DownloadProgress): void {
    const now = Date.now();
    const reading = this.meter.update(progress, now);
    const logLine = this.logSchedule.due(reading, now) ? formatDownloadLine(reading) : undefined;
    if (!logLine && now - this.lastProgressAt < PROGRESS_EVERY_MS && progress.filesDone < progress.filesTotal) return;
    this.lastProgressAt = now;
    this.setState({
      phase: 'loading',
      progress: {
        percent: percentOf(progress),
        filesDone: progress.filesDone,
        filesTotal: progress.filesTotal,
        logLine,
      },
    });
  }

  private onLoaded(classifier: Classifier): void {
    if (this.disposed) {
      // Unloaded while it was still loading: nobody will use it.
      void classifier.dispose();
      return;
    }
    this.classifier = classifier;
    alive.add(classifier);
    this.setState({ phase: 'ready', info: classifier.info });
    for (let job = this.pending.shift(); job; job = this.pending.shift()) {
      const { resolve, reject } = job;
      classifier.classify(job.image, job.options).then(resolve, reject);
    }
  }

  private onFailed(error: Error): void {
    if (this.disposed) return;
    this.setState({ phase: 'error', error, model: this.options.model });
    const failure = this.loadFailure(error);
    for (let job = this.pending.shift(); job; job = this.pending.shift()) job.reject(failure);
  }

  private loadFailure(error: Error): Error {
    const message = this.t('errors.load-failed', { model: this.options.model, reason: error.message });
    return new Error(withAdvice(message, error, this.options.model), { cause: error });
  }

  private setState(state: ModelState): void {
    this.state = state;
    this.emit('state', state);
  }
}

const models = new Map<string, SharedModel>();
const loads = new Map<string, number>();
// Every Classifier loaded here and not yet disposed: what leak checks count.
const alive = new Set<Classifier>();
const loader: Loader = (options) => Classifier.load(options);

export const sharedModelSettings = {
  /** How long an unused model stays loaded, waiting for a redeploy to pick it up again. */
  disposeGraceMs: 2000,
};

/** Takes the model for a config node's settings, loading it only if it is not already loaded. */
export function acquireModel(
  configId: string,
  hash: string,
  options: ClassifierOptions,
  user: object,
  t: Translate,
): SharedModel {
  const key = `${configId}:${hash}`;
  let model = models.get(key);
  if (model && model.state.phase === 'error' && model.users.size === 0) {
    // A failed load is retried by the next deploy instead of remembered forever.
    void model.dispose();
    models.delete(key);
    model = undefined;
  }
  if (!model) {
    model = new SharedModel(key, options, loader, t);
    models.set(key, model);
    loads.set(configId, (loads.get(configId) ?? 0) + 1);
  }
  clearTimeout(model.disposeTimer);
  model.disposeTimer = undefined;
  model.users.add(user);
  return model;
}

/** Gives the model back; the last user out starts the dispose timer (0 ms: dispose now). */
export function releaseModel(model: SharedModel, user: object, graceMs = sharedModelSettings.disposeGraceMs): void {
  model.users.delete(user);
  if (model.users.size > 0 || models.get(model.key) !== model) return;
  clearTimeout(model.disposeTimer);
  model.disposeTimer = setTimeout(() => {
    if (model.users.size > 0) return;
    models.delete(model.key);
    void model.dispose();
  }, graceMs);
}

/** Disposes a config node's idle models at once (the node was deleted, not redeployed). */
export function releaseIdleModels(configId: string): void {
  for (const model of [...models.values()]) {
    if (model.key.startsWith(`${configId}:`) && model.users.size === 0) {
      models.delete(model.key);
      void model.dispose();
    }
  }
}

/**
 * Diagnostics, not part of any node's behaviour: what the shared model cache holds, for leak
 * checks, soak runs and tests. Nothing in a flow or the editor reads these.
 */
export const sharedModelDiagnostics = {
  /** How many times a config node's model was really loaded (not reused). */
  loadCount(configId: string): number {
    return loads.get(configId) ?? 0;
  },
  /** Models held in the cache, and Classifiers loaded and not yet disposed. */
  counts(): { cached: number; alive: number } {
    return { cached: models.size, alive: alive.size };
  },
  /** The models a config node holds right now. */
  modelsOf(configId: string): SharedModel[] {
    return [...models.values()].filter((model) => model.key.startsWith(`${configId}:`));
  },
  /** The (first) worker thread that runs a model, once loaded. */
  workerThreadId(model: SharedModel): number | undefined {
    const classifier = classifierOf(model);
    return classifier && classifierDiagnostics.workerThreadId(classifier);
  },
  /** Every worker thread that runs a model, once loaded. */
  workerThreadIds(model: SharedModel): number[] {
    const classifier = classifierOf(model);
    return classifier ? classifierDiagnostics.workerThreadIds(classifier) : [];
  },
  /** TF.js memory inside its workers (summed), once loaded. */
  workerMemory(model: SharedModel): Promise<{ numTensors: number; numBytes: number }> | undefined {
    const classifier = classifierOf(model);
    return classifier && classifierDiagnostics.workerMemory(classifier);
  },
};
