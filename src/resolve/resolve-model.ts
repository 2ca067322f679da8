import * as path from 'node:path';
import { readLabelsFile } from '../model/labels';
import { ModelLoadError } from '../model/errors';
import { fetchModel } from '../store/download';
import { fetchCatalogModel } from '../store/fetch-catalog-model';
import { findCatalogEntry } from '../zoo/catalog';
import { imagenetLabels } from '../zoo/imagenet';
import { resolveLocal } from './local-model';
import type { ModelOptions, ResolvedModel } from './resolved-model';

function isUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

/** Finds (downloading into the cache when needed) the model a user named, and its labels. */
export async function resolveModel(options: ModelOptions): Promise<ResolvedModel> {
  const spec = options.model?.trim();
  if (!spec) {
    throw new ModelLoadError(
      'No model given: name a catalog model, a directory with model.json, a .tflite file or a URL',
    );
  }
  const entry = findCatalogEntry(spec);
  let resolved: ResolvedModel;
  if (entry) {
    const localPath = await fetchCatalogModel(entry, { cacheDir: options.cacheDir, onProgress: options.onProgress });
    const local = await resolveLocal(localPath, entry.name);
    resolved = {
      ...local,
      catalog: entry,
      normalization: entry.normalization,
      labels: local.labels ?? imagenetLabels(entry.classes),
      labelsSource: local.labels ? local.labelsSource : `ImageNet (${entry.classes} classes)`,
    };
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
