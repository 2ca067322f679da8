import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ModelLoadError } from '../model/errors';
import { readLabelsFile } from '../model/labels';
import { detectModelJsonFormat, readModelJson } from '../model/model-files';
import { MINUS_ONE_TO_ONE } from '../model/normalization';
import { readTeachableMetadata } from '../model/teachable';
import { catalogNames } from '../zoo/catalog';
import type { ResolvedModel } from './resolved-model';

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

/** Describes the model at a local path (a .tflite file or a folder holding model.json) and finds its labels. */
export async function resolveLocal(localPath: string, name: string): Promise<ResolvedModel> {
  const stat = await fs.stat(localPath).catch(() => undefined);
  if (!stat) {
    throw new ModelLoadError(
      `Model "${name}" not found: it is not a catalog name (${catalogNames().join(', ')}), ` +
        'an existing directory with model.json, a .tflite file, or an http(s) URL',
    );
  }
  if (stat.isFile()) {
    if (!localPath.toLowerCase().endsWith('.tflite')) {
      throw new ModelLoadError(
        `${localPath} is a file but not a .tflite model; give a .tflite file or a directory holding model.json`,
      );
    }
    const beside = await labelsBeside(path.dirname(localPath));
    const labelsSource = beside?.source ?? 'tflite metadata';
    return { name, format: 'tflite', localPath, labels: beside?.labels, labelsSource, teachableMachine: false };
  }
  const modelJson = await readModelJson(localPath);
  const format = detectModelJsonFormat(modelJson);
  const teachable = await readTeachableMetadata(localPath);
  if (teachable) {
    const labelsSource = path.join(localPath, 'metadata.json');
    const normalization = MINUS_ONE_TO_ONE;
    return { name, format, localPath, labels: teachable.labels, labelsSource, normalization, teachableMachine: true };
  }
  const beside = await labelsBeside(localPath);
  const labelsSource = beside?.source ?? 'none';
  return { name, format, localPath, labels: beside?.labels, labelsSource, teachableMachine: false };
}
