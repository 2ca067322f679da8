import { BACKEND_NAMES } from '../engine/backend-names';
import { ENGINE_CHOICES } from '../engine/engine';
import { describeValue } from '../image/describe-value';
import { FIT_MODES } from '../image/options';
import { checkRoiShape } from '../image/roi';
import { QUEUE_POLICIES } from './frame-queue';
import { validateFilter } from './predictions';
import { workersProblem } from './worker-count';

/*
 * The library's options are checked where they enter, so a JavaScript caller (no type checker) who
 * passes null, a string for a list or a typo hears what was wrong and what is accepted, instead of
 * "Cannot read properties of null" or "labels.map is not a function" from deep inside.
 */

const CLASSIFY_KEYS = ['topK', 'threshold', 'allow', 'deny', 'roi', 'fit', 'embedding', 'keepInput', 'inputJpeg'];
const CLASSIFIER_KEYS = [
  'model',
  'labels',
  'normalization',
  'cacheDir',
  'onProgress',
  'backend',
  'engine',
  'queueSize',
  'queuePolicy',
  'fit',
  'maxPixels',
  'maxMetadataBytes',
  'unfused',
  'float',
  'workers',
];

function quoted(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

function checkObject(what: string, example: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be an object such as ${example}, got ${describeValue(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    const noun = unknown.length > 1 ? 'options' : 'option';
    throw new TypeError(`${what} has unknown ${noun} ${quoted(unknown)}; accepted: ${keys.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function oneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new TypeError(`${name} must be one of ${quoted(allowed)}, got ${describeValue(value)}`);
  }
}

function wholeNumber(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    throw new TypeError(`${name} must be a whole number ≥ 1, got ${describeValue(value)}`);
  }
}

function positiveNumber(name: string, unit: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 1)) {
    throw new TypeError(`${name} must be a positive number of ${unit}, got ${describeValue(value)}`);
  }
}

function boolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean')
    throw new TypeError(`${name} must be true or false, got ${describeValue(value)}`);
}

/** The options of one classify() call. */
export function checkClassifyOptions(options: unknown): void {
  const o = checkObject('classify options', '{topK: 5, threshold: 0.2}', options, CLASSIFY_KEYS);
  validateFilter(o);
  oneOf('fit', o.fit, FIT_MODES);
  boolean('embedding', o.embedding);
  boolean('keepInput', o.keepInput);
  boolean('inputJpeg', o.inputJpeg);
  // Its shape now, before the frame waits in the queue; its fit in the frame once the frame is decoded.
  if (o.roi !== undefined) checkRoiShape(o.roi);
}

/** The options of Classifier.load(). */
export function checkClassifierOptions(options: unknown): void {
  const o = checkObject('Classifier options', '{model: "mobilenet_v1_0.25_224"}', options, CLASSIFIER_KEYS);
  if (typeof o.model !== 'string' || o.model.trim() === '') {
    throw new TypeError(
      `model must be a catalog name, a directory holding model.json, a .tflite file or an http(s) URL, got ` +
        `${describeValue(o.model)}`,
    );
  }
  const labels = o.labels;
  if (
    labels !== undefined &&
    typeof labels !== 'string' &&
    !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))
  ) {
    throw new TypeError(
      `labels must be the path of a labels file (one per line) or an array of label names, got ` +
        `${describeValue(labels)}`,
    );
  }
  const normalization = o.normalization as { scale?: unknown; offset?: unknown } | undefined;
  if (
    normalization !== undefined &&
    (typeof normalization !== 'object' ||
      normalization === null ||
      !Number.isFinite(normalization.scale) ||
      !Number.isFinite(normalization.offset))
  ) {
    throw new TypeError(
      `normalization must be {scale, offset} with finite numbers (e.g. {scale: 1 / 127.5, offset: -1}), got ` +
        `${describeValue(normalization)}`,
    );
  }
  if (o.cacheDir !== undefined && typeof o.cacheDir !== 'string')
    throw new TypeError(`cacheDir must be a directory path (string), got ${describeValue(o.cacheDir)}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw new TypeError(`onProgress must be a function, got ${describeValue(o.onProgress)}`);
  oneOf('backend', o.backend, BACKEND_NAMES);
  oneOf('engine', o.engine, ENGINE_CHOICES);
  wholeNumber('queueSize', o.queueSize);
  oneOf('queuePolicy', o.queuePolicy, QUEUE_POLICIES);
  oneOf('fit', o.fit, FIT_MODES);
  positiveNumber('maxPixels', 'pixels', o.maxPixels);
  positiveNumber('maxMetadataBytes', 'bytes', o.maxMetadataBytes);
  boolean('unfused', o.unfused);
  boolean('float', o.float);
  if (o.workers !== undefined) {
    const problem = workersProblem('workers', o.workers);
    if (problem) throw new TypeError(problem);
  }
}
