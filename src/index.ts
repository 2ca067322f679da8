/**
 * The package's one door: the Node-RED nodes, the app and library users import only what is named
 * here (a test holds the nodes and the app to it). Start with `Classifier.load(options)`, then
 * `classifier.classify(image)`; frame sources and the MQTT label publisher are the other two doors.
 * Nothing behind this file imports Node-RED.
 */

// Load a model once, classify images in a worker thread behind a bounded queue.
export { Classifier, type ClassifierOptions, type ClassifyOptions, type ClassifyResult } from './runner/classifier';
export type { ClassifierStats, ClassifyResultWithEmbedding, ModelInfo, Timings } from './runner/classifier';
export { checkClassifyOptions } from './runner/classifier-options';
export { defaultWorkers, MAX_WORKERS, workersProblem } from './runner/worker-count';
export type { Prediction, PredictionFilter } from './runner/predictions';
export { FrameDroppedError, FrameQueue, QUEUE_POLICIES, type QueuePolicy } from './runner/frame-queue';
export { BACKEND_NAMES, type BackendName } from './engine/backend-names';
export { ENGINE_CHOICES, type EngineChoice, type EngineName, type ExecutionMode } from './engine/engine';
export { ModelLoadError } from './model/errors';
export { DownloadError } from './store/download-error';
export { modelFingerprint, type FingerprintInput } from './model/fingerprint';
export type { Normalization } from './model/normalization';
export type { ModelFormat } from './model/model-format';
export { DownloadMeter, type DownloadProgress, formatDownloadLine, ProgressLineSchedule } from './store/download-meter';

// The images a classifier accepts.
export { DEFAULT_MAX_FILE_BYTES, FIT_MODES, ImageError, readImageFile, toImageInput } from './image';
export type { FitMode, ImageInput, Roi } from './image';

// Which models exist and what they cost.
export { CATALOG, findCatalogEntry, type CatalogEntry } from './zoo/catalog';
export { describeArchitecture } from './zoo/cost';
export { publishedAccuracy } from './zoo/published-accuracy';

// Camera frames: a command, an MJPEG or snapshot URL, or a folder.
export { createFrameSource, DEFAULT_MAX_FOLDER_FILE_BYTES, DEFAULT_RESTART } from './frames';
export type { Frame, FrameSource, FrameSourceConfig, FrameSourceState, FrameSourceStats } from './frames';
export type { FolderRetention, FolderSourceConfig } from './frames';

// Labels over MQTT, with Home Assistant discovery; frames over MQTT for a pool of classifiers ($share).
export { FramePublisher, FrameSubscriber, frameTopic, type FrameMessage, type FrameSubscriberStats } from './mqtt';
export { LabelPublisher, MqttConfigError, parseProtocolVersion, validateBrokerUrl } from './mqtt';
export type { BrokerSettings, FrameOutcome, LabelFrame, LabelPublisherOptions, PublisherStatus, QoS } from './mqtt';
export { TeachCommandError, type StateEntity, type StateUpdate, type TeachCommand } from './mqtt';
export { BINARY_SENSOR_DEVICE_CLASSES, type BinarySensorDeviceClass } from './mqtt';
export { DEFAULT_SOURCE, SOURCE_TOPIC_WORDS } from './mqtt/topics';

// Label sets: classes taught by a few examples, matched by prototype or k-NN, with `unknown`.
export { LabelSet, LabelSetError, isLabelSetError, LABELSET_LIMITS, UNKNOWN_LABEL } from './labelset';
export { checkLabel, checkNewLabel } from './labelset';
export { DEFAULT_MATCH_OPTIONS, MATCH_METHODS, makeThumbnail, matchToPredictions } from './labelset';
export type { LabelSetErrorCode } from './labelset';
export type { ClassScore, ClassSummary, EmbedFunction, ExampleSummary, ImportLabelSetOptions } from './labelset';
export type { LabelSetExport, LabelSetModel, LabelSetModelOptions, MatchMethod, MatchOptions } from './labelset';
export type { MatchResult, OpenLabelSetOptions, ThumbnailOptions } from './labelset';

// Watching a region for states (a door open / closed): motion gate, K-frame consensus, review queue.
export { checkStateRoi } from './labelset/state-roi';
export { StateWatcher, type StateWatcherOptions, type StateWatcherStats } from './labelset/state-watcher';
export type { ClassifyRegion, SkipReason, StateChange, WatchOutcome } from './labelset/state-watcher';
export type { ConsensusOptions, StateResult, StateSnapshot } from './labelset/consensus';
export type { ClassifyReason, MotionOptions } from './labelset/motion-gate';
export { ReviewQueue, type ReviewEntry, type ReviewQueueOptions } from './labelset/review-queue';
export type { ReviewQueueStats, ReviewReason } from './labelset/review-queue';

// Diagnostics for leak checks, soaks and benchmarks: not a stable API.
export { classifierDiagnostics } from './runner/classifier';

// Errors and logins, said safely in logs, status and messages.
export { redactUserinfo } from './redact-userinfo';
export { toError } from './to-error';
