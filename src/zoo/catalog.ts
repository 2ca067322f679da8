import type { ModelFormat } from '../model/model-format';
import { MINUS_ONE_TO_ONE, type Normalization } from '../model/normalization';
import { CORAL_TFLITE_FILES, MOBILENET_V1_025_224_LAYERS_FILES, type PinnedFile } from './catalog-hashes';

/** One official MobileNet the package can download by name: where from, its architecture and its input. */
export interface CatalogEntry {
  /** e.g. 'mobilenet_v1_0.25_224'; spelled as the publisher spells the file or folder. */
  name: string;
  arch: 'v1' | 'v2';
  alpha: number;
  resolution: number;
  format: ModelFormat;
  /**
   * model.json URL (layers/graph; TF Hub ones as @tensorflow-models/mobilenet builds them, with
   * '?tfjs-format=file'), a .tflite URL, or a .tgz URL holding the .tflite named in `archiveMember`.
   */
  url: string;
  /** For .tgz URLs: the .tflite file inside the archive. */
  archiveMember?: string;
  /**
   * pixel → input: real = pixel * scale + offset. [-1,1] is {scale: 1/127.5, offset: -1}; [0,1] is {scale: 1/255,
   * offset: 0}.
   */
  normalization: Normalization;
  /**
   * What the input tensor holds: 'float32' = normalised reals; 'uint8' = the raw pixel bytes, which
   * the model's own input quantisation maps to the reals described by `normalization`.
   */
  inputDtype: 'float32' | 'uint8';
  /** 'logits' outputs still need a softmax to become probabilities (the TF Hub classifiers). */
  output: 'softmax' | 'logits';
  /** 1001 = index 0 is background. */
  classes: 1000 | 1001;
  quantized: boolean;
  /** sha256 pinned per local file name when the public bytes are known. */
  sha256?: Record<string, string>;
  /** Exact size per local file name, pinned with its sha256: a download is cut off at the first byte beyond it. */
  bytes?: Record<string, number>;
  /**
   * Upper bound per local file name where the exact size is not known here (model.json, an archive
   * and its member); shards are bounded by model.json's weights manifest.
   */
  maxBytes?: Record<string, number>;
  /** Where the URL is documented. */
  source: string;
}

const MIB = 1024 * 1024;
/**
 * The layers model.json is 54 kB for α 0.25 and holds the same 88-layer topology for every α; a
 * graph model.json (topology of ~150 nodes plus the manifest) is of the same order. 4 MiB leaves
 * plenty of room and still stops an endless or inflating body early.
 */
const MODEL_JSON_MAX_BYTES = 4 * MIB;
/**
 * The official quantised .tgz archives hold checkpoints, a frozen graph and the .tflite: a few tens
 * of MB for α 1.0, whose .tflite is 4.3 MB. Their exact sizes are not known here (no copy), so the
 * bounds leave a wide margin: 128 MiB for the archive, 16 MiB for the .tflite taken out of it.
 */
const ARCHIVE_MAX_BYTES = 128 * MIB;
const ARCHIVED_TFLITE_MAX_BYTES = 16 * MIB;

function pinsOf(files: Readonly<Record<string, PinnedFile>>): Pick<CatalogEntry, 'sha256' | 'bytes'> {
  const entries = Object.entries(files);
  return {
    sha256: Object.fromEntries(entries.map(([file, pin]) => [file, pin.sha256])),
    bytes: Object.fromEntries(entries.map(([file, pin]) => [file, pin.bytes])),
  };
}

const ZERO_TO_ONE: Normalization = { scale: 1 / 255, offset: 0 };
// The quantised TFLite MobileNets declare input scale 1/128 and zero point 128: real = (q - 128) / 128.
const UINT8_MINUS_ONE_TO_ONE: Normalization = { scale: 1 / 128, offset: -1 };

const TFJS_LAYERS_BASE = 'https://storage.googleapis.com/tfjs-models/tfjs';
const TFJS_LAYERS_SOURCE =
  'tensorflow/tfjs-examples mobilenet (loads tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json, a conversion of the ' +
  'Keras ' +
  'MobileNet ImageNet weights) and @tensorflow-models/mobilenet before 2.0 ' +
  '(tfjs-models/tfjs/mobilenet_v1_<alpha>_224 ' +
  'with alpha 0.25, 0.50, 0.75, 1.0); input x/127.5-1 as Keras preprocess_input';

function layersEntry(alphaText: string): CatalogEntry {
  const name = `mobilenet_v1_${alphaText}_224`;
  const entry: CatalogEntry = {
    name,
    arch: 'v1',
    alpha: Number(alphaText),
    resolution: 224,
    format: 'layers',
    url: `${TFJS_LAYERS_BASE}/${name}/model.json`,
    normalization: MINUS_ONE_TO_ONE,
    inputDtype: 'float32',
    output: 'softmax',
    classes: 1000,
    quantized: false,
    maxBytes: { 'model.json': MODEL_JSON_MAX_BYTES },
    source: TFJS_LAYERS_SOURCE,
  };
  // Only this α's public bytes are known (a byte copy is the test fixture); the others keep the bounds.
  if (alphaText === '0.25') Object.assign(entry, pinsOf(MOBILENET_V1_025_224_LAYERS_FILES));
  return entry;
}

const TFHUB_SOURCE =
  '@tensorflow-models/mobilenet 2.1.1 dist/index.js MODEL_INFO (inputRange [0, 1]), loaded with ' +
  "tfjs-converter loadGraphModel(url, {fromTFHub: true}), which appends 'model.json?tfjs-format=file'";

/** `handle` is the TF Hub module name, e.g. 'mobilenet_v2_100_224'; `version` its TF Hub version. */
function tfhubEntry(arch: 'v1' | 'v2', alpha: number, version: number): CatalogEntry {
  const handle = `mobilenet_${arch}_${String(Math.round(alpha * 100)).padStart(3, '0')}_224`;
  return {
    name: `tfhub_${handle}`,
    arch,
    alpha,
    resolution: 224,
    format: 'graph',
    url: `https://tfhub.dev/google/imagenet/${handle}/classification/${version}/model.json?tfjs-format=file`,
    normalization: ZERO_TO_ONE,
    inputDtype: 'float32',
    // @tensorflow-models/mobilenet slices off logit 0 (background) and applies softmax itself.
    output: 'logits',
    classes: 1001,
    quantized: false,
    maxBytes: { 'model.json': MODEL_JSON_MAX_BYTES },
    source: TFHUB_SOURCE,
  };
}

const CORAL_COMMIT = '104342d2d3480b3e66203073dac24f4e2dbb4c41';
const CORAL_BASE = `https://raw.githubusercontent.com/google-coral/test_data/${CORAL_COMMIT}`;
const CORAL_SOURCE = `google-coral/test_data (Apache-2.0) at commit ${CORAL_COMMIT}`;
const SLIM_V1_QUANT_SOURCE =
  'tensorflow/models research/slim/nets/mobilenet_v1.md, "Pre-trained Models" (mobilenet_v1_2018_08_02 *_quant.tgz; ' +
  'each archive holds the converted TensorFlow Lite flatbuffer)';
const HOSTED_V2_QUANT_SOURCE =
  'tensorflow/tensorflow lite/g3doc/guide/hosted_models.md, "Quantized models" ' +
  '(tflite_11_05_08/mobilenet_v2_1.0_224_quant.tgz)';

function tfliteEntry(arch: 'v1' | 'v2', alphaText: string, resolution: number): CatalogEntry {
  const name = `mobilenet_${arch}_${alphaText}_${resolution}_quant`;
  const file = `${name}.tflite`;
  const common = {
    name,
    arch,
    alpha: Number(alphaText),
    resolution,
    format: 'tflite' as const,
    normalization: UINT8_MINUS_ONE_TO_ONE,
    inputDtype: 'uint8' as const,
    output: 'softmax' as const,
    classes: 1001 as const,
    quantized: true,
  };
  // Plain .tflite files whose bytes are known here: byte copies of them are the test fixtures.
  const pinned = CORAL_TFLITE_FILES[file];
  if (pinned) {
    return {
      ...common,
      url: `${CORAL_BASE}/${file}`,
      ...pinsOf({ [file]: pinned }),
      source: `${CORAL_SOURCE}, ${file}`,
    };
  }
  const url =
    arch === 'v1'
      ? `https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02/${name}.tgz`
      : `https://storage.googleapis.com/download.tensorflow.org/models/tflite_11_05_08/${name}.tgz`;
  const maxBytes = { [`${name}.tgz`]: ARCHIVE_MAX_BYTES, [file]: ARCHIVED_TFLITE_MAX_BYTES };
  return {
    ...common,
    url,
    archiveMember: file,
    maxBytes,
    source: arch === 'v1' ? SLIM_V1_QUANT_SOURCE : HOSTED_V2_QUANT_SOURCE,
  };
}

function v1QuantEntries(): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  for (const alpha of ['1.0', '0.75', '0.5', '0.25']) {
    for (const resolution of [224, 192, 160, 128]) entries.push(tfliteEntry('v1', alpha, resolution));
  }
  return entries;
}

function frozen(entry: CatalogEntry): CatalogEntry {
  if (entry.sha256) Object.freeze(entry.sha256);
  if (entry.bytes) Object.freeze(entry.bytes);
  if (entry.maxBytes) Object.freeze(entry.maxBytes);
  Object.freeze(entry.normalization);
  return Object.freeze(entry);
}

/** The official MobileNets whose public sources show they exist, with how to feed and read them. */
export const CATALOG: readonly CatalogEntry[] = Object.freeze(
  [
    ...['1.0', '0.75', '0.50', '0.25'].map(layersEntry),
    tfhubEntry('v1', 0.25, 1),
    tfhubEntry('v1', 0.5, 1),
    tfhubEntry('v1', 0.75, 1),
    tfhubEntry('v1', 1.0, 1),
    tfhubEntry('v2', 0.5, 2),
    tfhubEntry('v2', 0.75, 2),
    tfhubEntry('v2', 1.0, 2),
    ...v1QuantEntries(),
    tfliteEntry('v2', '1.0', 224),
  ].map(frozen),
);

/** Spelling-insensitive key: '0.50' and '0.5', '1.0' and '1' name the same width multiplier. */
export function catalogKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\d+\.\d+/g, (number) => String(Number(number)));
}

/** The catalog entry a name means (case and "0.50"/"0.5" spellings forgiven), or undefined. */
export function findCatalogEntry(name: string): CatalogEntry | undefined {
  const exact = CATALOG.find((entry) => entry.name === name);
  if (exact) return exact;
  const key = catalogKey(name);
  return CATALOG.find((entry) => catalogKey(entry.name) === key);
}

export function catalogNames(): string[] {
  return CATALOG.map((entry) => entry.name);
}
