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
  type ClassifierStats,
  type ModelInfo,
  type Timings,
} from './runner/classifier';
export { FrameDroppedError, QUEUE_POLICIES, type QueuePolicy } from './runner/bounded-queue';
export type { Prediction, PredictionFilter } from './runner/predictions';
export { BACKEND_NAMES, type BackendName } from './engine/backend';
export { ModelLoadError } from './model/errors';
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
