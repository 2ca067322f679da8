import { ImageError } from '../image/errors';
import { readRegularFile } from '../image/read-image-file';
import { ModelLoadError } from './errors';
import { toError } from '../to-error';

/** A labels file is a few KiB (ImageNet's 1001 names: 21 KiB); a larger one is not a labels file. */
const MAX_LABELS_FILE_BYTES = 8 * 1024 * 1024;
const LABELS_FILE = {
  noun: 'labels file',
  accepted: 'Accepted: a regular text file with one label per line, or a JSON array of strings',
};

/** One class per line; CR stripped, trailing blank lines ignored. JSON arrays are accepted too. */
export async function readLabelsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    // Bounded and regular files only: a named pipe given as --labels would otherwise hang the load.
    text = (await readRegularFile(file, { maxFileBytes: MAX_LABELS_FILE_BYTES }, LABELS_FILE)).toString('utf8');
  } catch (error) {
    if (error instanceof ImageError) throw new ModelLoadError(error.message);
    throw new ModelLoadError(`Cannot read labels file ${file}: ${toError(error).message}`);
  }
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ModelLoadError(
        `Labels file ${file} is not valid JSON (${toError(error).message}); give a JSON array of strings or one ` +
          `label per line`,
      );
    }
    if (!Array.isArray(parsed) || !parsed.every((l) => typeof l === 'string'))
      throw new ModelLoadError(`${file} is JSON but not an array of label strings`);
    return parsed;
  }
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines;
}

/**
 * Lines up a label list with the model's outputs. ImageNet label files often carry a leading
 * `background` line: dropped for 1000-output models, kept for 1001-output models.
 */
export function alignLabels(labels: string[], classes: number, source: string): string[] {
  if (labels.length === classes) return labels;
  if (labels.length === classes + 1 && labels[0].trim().toLowerCase() === 'background') return labels.slice(1);
  throw new ModelLoadError(`${source} has ${labels.length} labels but the model outputs ${classes} scores`);
}
