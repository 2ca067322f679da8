import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** The parts of a Teachable Machine image export's metadata.json that classification needs. */
export interface TeachableMetadata {
  labels: string[];
  imageSize: number;
}

/** Reads `metadata.json` beside a Teachable Machine export, or undefined when there is none. */
export async function readTeachableMetadata(dir: string): Promise<TeachableMetadata | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, 'metadata.json'), 'utf8');
  } catch {
    return undefined;
  }
  const json = JSON.parse(text) as { labels?: unknown; imageSize?: unknown };
  if (!Array.isArray(json.labels)) return undefined;
  return { labels: json.labels.map(String), imageSize: typeof json.imageSize === 'number' ? json.imageSize : 224 };
}
