import * as fs from 'node:fs/promises';
import { ModelLoadError } from './errors';

/** One class per line; CR stripped, trailing blank lines ignored. JSON arrays are accepted too. */
export async function readLabelsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ModelLoadError(`Cannot read labels file ${file}: ${(error as Error).message}`);
  }
  if (text.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ModelLoadError(`Labels file ${file} is not valid JSON (${(error as Error).message}); give a JSON array of strings or one label per line`);
    }
    if (!Array.isArray(parsed) || !parsed.every((l) => typeof l === 'string')) throw new ModelLoadError(`${file} is JSON but not an array of label strings`);
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
