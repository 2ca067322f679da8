import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ModelLoadError } from './errors';
import { toError } from '../to-error';

/** The parts of a Teachable Machine image export's metadata.json that classification needs. */
export interface TeachableMetadata {
  labels: string[];
  imageSize: number;
}

/** Reads `metadata.json` beside a Teachable Machine export, or undefined when there is none. */
export async function readTeachableMetadata(dir: string): Promise<TeachableMetadata | undefined> {
  const file = path.join(dir, 'metadata.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: { labels?: unknown; imageSize?: unknown };
  try {
    json = JSON.parse(text) as { labels?: unknown; imageSize?: unknown };
  } catch (error) {
    throw new ModelLoadError(
      `${file} is not valid JSON (${toError(error).message}); the Teachable Machine export is corrupt`,
    );
  }
  if (json === null || typeof json !== 'object' || !Array.isArray(json.labels)) return undefined;
  return { labels: json.labels.map(String), imageSize: typeof json.imageSize === 'number' ? json.imageSize : 224 };
}
