import { toError } from '../to-error';
import { LabelSetError } from './errors';
import { checkLabel, LABELSET_LIMITS } from './limits';
import { decodeEmbedding } from './vectors';

/** The set's file inside its folder. */
export const LABELSET_FILE = 'labelset.json';
/** The folder beside it holding one JPEG crop per example. */
export const EXAMPLES_FOLDER = 'examples';
/** The version of `labelset.json` this code writes and reads. */
export const LABELSET_FORMAT_VERSION = 1;

/** The model a set's embeddings were computed with. */
export interface LabelSetModel {
  /** `classifier.info.fingerprint`: weights + input size + normalisation. */
  fingerprint: string;
  /** Human-readable model name, for error messages only. */
  name?: string;
  /** Values per embedding. */
  embeddingSize: number;
}

/** One example as `labelset.json` stores it. */
export interface StoredExample {
  /** 16 hex digits; also the thumbnail's file name. */
  id: string;
  /** Little-endian float32 values, base64, L2-normalised. */
  embedding: string;
  /** `examples/<id>.jpg`, relative to the set's folder. */
  thumbnail: string;
  /** ISO 8601 time the example was taught. */
  addedAt: string;
}

/** The whole of `labelset.json`. */
export interface LabelSetDocument {
  version: typeof LABELSET_FORMAT_VERSION;
  name: string;
  model: LabelSetModel;
  classes: Record<string, StoredExample[]>;
  /**
   * The id of the `examples.jsonl` journal whose adds this file already holds (see journal.ts): that journal is
   * not replayed again. Absent in a set that has never been compacted and in exports.
   */
  journal?: string;
}

const ID_PATTERN = /^[0-9a-f]{16}$/;

export function isExampleId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function thumbnailPathFor(id: string): string {
  return `${EXAMPLES_FOLDER}/${id}.jpg`;
}

/**
 * Checks everything a `labelset.json` (or an export) claims before any of it is used, so a damaged or
 * hand-edited file is refused with the reason and the file's name rather than half-loaded.
 */
export function parseDocument(text: string, file: string): LabelSetDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `is not valid JSON (${toError(error).message})`, error);
  }
  return checkDocument(value, file);
}

export function checkDocument(value: unknown, file: string): LabelSetDocument {
  if (!isRecord(value)) throw corrupt(file, 'does not hold a JSON object');
  if (value.version !== LABELSET_FORMAT_VERSION) {
    const why =
      typeof value.version === 'number' && value.version > LABELSET_FORMAT_VERSION
        ? `was written by a newer version of this package (format ${value.version}; this one reads ` +
          `${LABELSET_FORMAT_VERSION})`
        : `has no known format version (version: ${JSON.stringify(value.version)})`;
    throw corrupt(file, why);
  }
  if (typeof value.name !== 'string') throw corrupt(file, 'has no "name" string');
  const model = checkModel(value.model, file);
  if (!isRecord(value.classes)) throw corrupt(file, 'has no "classes" object');

  const labels = Object.keys(value.classes);
  if (labels.length > LABELSET_LIMITS.maxClasses) {
    throw corrupt(file, `holds ${labels.length} classes, more than the limit of ${LABELSET_LIMITS.maxClasses}`);
  }
  const seenIds = new Set<string>();
  const classes: Record<string, StoredExample[]> = {};
  let total = 0;
  for (const label of labels) {
    try {
      checkLabel(label);
    } catch (error) {
      throw corrupt(file, `has a class whose label is refused: ${toError(error).message}`);
    }
    const examples = value.classes[label];
    if (!Array.isArray(examples) || examples.length === 0) {
      throw corrupt(file, `class "${label}" must hold a non-empty list of examples`);
    }
    if (examples.length > LABELSET_LIMITS.maxExamplesPerClass) {
      throw corrupt(
        file,
        `class "${label}" holds ${examples.length} examples, more than the limit of ` +
          `${LABELSET_LIMITS.maxExamplesPerClass}`,
      );
    }
    total += examples.length;
    classes[label] = examples.map((example, index) =>
      checkExample(example, `class "${label}" example ${index}`, model.embeddingSize, seenIds, file),
    );
  }
  if (total > LABELSET_LIMITS.maxExamples) {
    throw corrupt(file, `holds ${total} examples, more than the limit of ${LABELSET_LIMITS.maxExamples}`);
  }
  if (value.journal !== undefined && !isExampleId(value.journal)) {
    throw corrupt(file, 'has a "journal" that is not 16 hex digits');
  }
  return {
    version: LABELSET_FORMAT_VERSION,
    name: value.name,
    model,
    classes,
    ...(value.journal === undefined ? {} : { journal: value.journal }),
  };
}

function checkModel(value: unknown, file: string): LabelSetModel {
  if (!isRecord(value)) throw corrupt(file, 'has no "model" object');
  if (typeof value.fingerprint !== 'string' || value.fingerprint.length === 0) {
    throw corrupt(file, 'has no model fingerprint');
  }
  const size = value.embeddingSize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > LABELSET_LIMITS.maxEmbeddingSize) {
    throw corrupt(
      file,
      `has a model embeddingSize of ${JSON.stringify(size)}, not 1..${LABELSET_LIMITS.maxEmbeddingSize}`,
    );
  }
  if (value.name !== undefined && typeof value.name !== 'string')
    throw corrupt(file, 'has a model name that is not a string');
  return {
    fingerprint: value.fingerprint,
    embeddingSize: size,
    ...(value.name === undefined ? {} : { name: value.name }),
  };
}

function checkExample(value: unknown, where: string, size: number, seenIds: Set<string>, file: string): StoredExample {
  if (!isRecord(value)) throw corrupt(file, `${where} is not an object`);
  if (!isExampleId(value.id)) throw corrupt(file, `${where} has an id that is not 16 hex digits`);
  if (seenIds.has(value.id)) throw corrupt(file, `${where} repeats the id ${value.id}`);
  seenIds.add(value.id);
  if (decodeEmbedding(value.embedding, size) === undefined) {
    throw corrupt(file, `${where} (${value.id}) has an embedding that is not base64 of ${size} float32 values`);
  }
  // The thumbnail path is always derived from the id: a crafted file must not point outside the folder.
  if (value.thumbnail !== thumbnailPathFor(value.id)) {
    throw corrupt(
      file,
      `${where} (${value.id}) has the thumbnail ${JSON.stringify(value.thumbnail)}, not ${thumbnailPathFor(value.id)}`,
    );
  }
  if (typeof value.addedAt !== 'string' || Number.isNaN(Date.parse(value.addedAt))) {
    throw corrupt(file, `${where} (${value.id}) has no valid addedAt time`);
  }
  return { id: value.id, embedding: value.embedding as string, thumbnail: value.thumbnail, addedAt: value.addedAt };
}

function corrupt(file: string, why: string, cause?: unknown): LabelSetError {
  return new LabelSetError('corrupt', `Label set file ${file} ${why}; it was left as it is`, { file, cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
