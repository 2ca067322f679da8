import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ModelFormat } from '../engine/load-executable';
import { fetchModel, type DownloadProgress } from '../store/download';
import { fetchCatalogModel } from '../store/fetch-catalog-model';
import { catalogNames, findCatalogEntry, type CatalogEntry } from '../zoo/catalog';
import { imagenetLabels } from '../zoo/imagenet';
import { ModelLoadError } from './errors';
import { readLabelsFile } from './labels';
import { detectModelJsonFormat, readModelJson } from './model-files';
import { readTeachableMetadata } from './teachable';

/** pixel → model input: real = pixel * scale + offset. */
export interface Normalization {
  scale: number;
  offset: number;
}

/** Keras MobileNet `preprocess_input` and Teachable Machine: x / 127.5 - 1. */
export const MINUS_ONE_TO_ONE: Normalization = { scale: 1 / 127.5, offset: -1 };

export interface ModelOptions {
  /** A catalog name, a directory with model.json, a .tflite file, or an http(s) URL to either. */
  model: string;
  /** A labels file (one per line) or the labels themselves; overrides what the model carries. */
  labels?: string | string[];
  /** Overrides the input normalisation the model or catalog dictates. */
  normalization?: Normalization;
  cacheDir?: string;
  onProgress?(progress: DownloadProgress): void;
}

/** A model found on local disk, with everything known about it before it is loaded. */
export interface ResolvedModel {
  name: string;
  format: ModelFormat;
  /** Directory with model.json, or the .tflite file. */
  localPath: string;
  /** Undefined when the model itself carries them (TFLite metadata) or none were found. */
  labels?: string[];
  labelsSource: string;
  normalization?: Normalization;
  /** Input size a Teachable Machine export declares. */
  catalog?: CatalogEntry;
  teachableMachine: boolean;
}

const LABEL_FILE_NAMES = ['labels.txt', 'imagenet_labels.txt', 'class_names.txt', 'labels.json'];

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function labelsBeside(dir: string): Promise<{ labels: string[]; source: string } | undefined> {
  for (const name of LABEL_FILE_NAMES) {
    const file = path.join(dir, name);
    if (await exists(file)) return { labels: await readLabelsFile(file), source: file };
  }
  return undefined;
}

function isUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

async function resolveLocal(localPath: string, name: string): Promise<ResolvedModel> {
  const stat = await fs.stat(localPath).catch(() => undefined);
  if (!stat) {
    throw new ModelLoadError(`Model "${name}" not found: it is not a catalog name (${catalogNames().join(', ')}), an existing directory with model.json, a .tflite file, or an http(s) URL`);
  }
  if (stat.isFile()) {
    if (!localPath.toLowerCase().endsWith('.tflite')) throw new ModelLoadError(`${localPath} is a file but not a .tflite model; give a .tflite file or a directory holding model.json`);
    const beside = await labelsBeside(path.dirname(localPath));
    return { name, format: 'tflite', localPath, labels: beside?.labels, labelsSource: beside?.source ?? 'tflite metadata', teachableMachine: false };
  }
  const modelJson = await readModelJson(localPath);
  const format = detectModelJsonFormat(modelJson);
  const teachable = await readTeachableMetadata(localPath);
  if (teachable) {
    return { name, format, localPath, labels: teachable.labels, labelsSource: path.join(localPath, 'metadata.json'), normalization: MINUS_ONE_TO_ONE, teachableMachine: true };
  }
  const beside = await labelsBeside(localPath);
  return { name, format, localPath, labels: beside?.labels, labelsSource: beside?.source ?? 'none', teachableMachine: false };
}

/** Finds (downloading into the cache when needed) the model a user named, and its labels. */
export async function resolveModel(options: ModelOptions): Promise<ResolvedModel> {
  const spec = options.model?.trim();
  if (!spec) throw new ModelLoadError('No model given: name a catalog model, a directory with model.json, a .tflite file or a URL');
  const entry = findCatalogEntry(spec);
  let resolved: ResolvedModel;
  if (entry) {
    const localPath = await fetchCatalogModel(entry, { cacheDir: options.cacheDir, onProgress: options.onProgress });
    const local = await resolveLocal(localPath, entry.name);
    resolved = { ...local, catalog: entry, normalization: entry.normalization, labels: local.labels ?? imagenetLabels(entry.classes), labelsSource: local.labels ? local.labelsSource : `ImageNet (${entry.classes} classes)` };
  } else if (isUrl(spec)) {
    const localPath = await fetchModel(spec, { cacheDir: options.cacheDir, onProgress: options.onProgress });
    resolved = await resolveLocal(localPath, spec);
  } else {
    resolved = await resolveLocal(path.resolve(spec), spec);
  }
  if (options.labels !== undefined) {
    resolved.labels = Array.isArray(options.labels) ? options.labels : await readLabelsFile(options.labels);
    resolved.labelsSource = Array.isArray(options.labels) ? 'options' : options.labels;
  }
  if (options.normalization) resolved.normalization = options.normalization;
  return resolved;
}
