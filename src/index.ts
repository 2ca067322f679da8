/**
 * The framework-free core: load a MobileNet (catalog, directory, URL, .tflite, Teachable
 * Machine), classify images off the main thread, read camera frames, publish labels over MQTT.
 * Nothing here imports Node-RED; the nodes in ../nodes adapt it.
 */
export {
  Classifier,
  loadClassifier,
  type ClassifierOptions,
  type ClassifyOptions,
  type ClassifyResult,
  type ClassifyResultWithEmbedding,
  type ClassifierStats,
  type ModelInfo,
  type Timings,
} from './runner/classifier';
export { FrameDroppedError, QUEUE_POLICIES, type QueuePolicy } from './runner/bounded-queue';
export type { Prediction, PredictionFilter } from './runner/predictions';
export { BACKEND_NAMES, type BackendName } from './engine/backend';
export { ModelLoadError } from './model/errors';
export { modelFingerprint, type FingerprintInput } from './model/fingerprint';
export type { Normalization } from './model/normalization';
export { resolveModel } from './resolve/resolve-model';
export type { ModelOptions, ResolvedModel } from './resolve/resolved-model';
export { quantizeModelDirectory, QUANTIZE_DTYPES, type QuantizeDtype, type QuantizeReport } from './model/quantize';
export { importTflite } from './model/tflite';
export { CATALOG, catalogNames, findCatalogEntry, type CatalogEntry } from './zoo/catalog';
export { describeArchitecture } from './zoo/cost';
export { fetchModel } from './store/download';
export { toError } from './to-error';
export * as image from './image';
export * as frames from './frames';
export * as mqtt from './mqtt';
/**
 * Label sets: classes taught by a few examples (embeddings + JPEG crops in a folder), matched by class
 * prototype or k-NN with calibrated scores and `unknown`. See the README's "Teach your own labels".
 */
export {
  /** A named set of taught classes on disk; `LabelSet.open(dir, {fingerprint, embeddingSize})`. */
  LabelSet,
  /** Every refusal of a label set operation; branch on `code`. */
  LabelSetError,
  /** True for a `LabelSetError`. */
  isLabelSetError,
  /** The documented bounds on classes, examples, labels and files. */
  LABELSET_LIMITS,
  /** The label `match` answers when unsure (`'unknown'`). */
  UNKNOWN_LABEL,
  /** Checks a label against the label rules; throws `LabelSetError` `bad-label`. */
  checkLabel,
  /** The match settings used when none are given, chosen from measurements on real photos. */
  DEFAULT_MATCH_OPTIONS,
  /** `prototype` and `knn`. */
  MATCH_METHODS,
  /** The small square JPEG crop an example is stored with. */
  makeThumbnail,
  /** A `match()` result as `[{label, score, index}]` like an ImageNet classification, `unknown` first when unsure. */
  matchToPredictions,
  type ClassScore,
  type ClassSummary,
  type EmbedFunction,
  type ExampleSummary,
  type ImportLabelSetOptions,
  type LabelSetErrorCode,
  type LabelSetExport,
  type LabelSetModel,
  type LabelSetModelOptions,
  type MatchMethod,
  type MatchOptions,
  type MatchResult,
  type OpenLabelSetOptions,
  type ThumbnailOptions,
} from './labelset';
/**
 * Watching a region for states (a door open / closed, a bin out / in): `StateWatcher` crops the
 * label set's region, skips frames where it held still (counted), classifies the rest with the
 * function it is given, publishes a state after K agreeing results, and keeps doubtful or
 * state-changing frames in a bounded review queue.
 */
export {
  StateWatcher,
  type ClassifyRegion,
  type SkipReason,
  type StateChange,
  type StateWatcherOptions,
  type StateWatcherStats,
  type WatchOutcome,
} from './labelset/state-watcher';
export type { ConsensusOptions, StateResult, StateSnapshot } from './labelset/consensus';
export type { ClassifyReason, MotionOptions } from './labelset/motion-gate';
export {
  ReviewQueue,
  type ReviewEntry,
  type ReviewQueueOptions,
  type ReviewQueueStats,
  type ReviewReason,
} from './labelset/review-queue';
export { checkStateRoi } from './labelset/state-roi';
