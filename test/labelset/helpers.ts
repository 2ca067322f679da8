import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeThumbnail } from '../../src/labelset/thumbnail';
import { readImage } from '../fixtures';

/** A model as the unit tests describe it: 4-value embeddings, so vectors can be written by hand. */
export const TINY_MODEL = { fingerprint: 'tiny-test-model', embeddingSize: 4, modelName: 'tiny' } as const;

export function tempFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `labelset-${prefix}-`));
}

export function vector(...values: number[]): Float32Array {
  return Float32Array.from(values);
}

let thumbnail: Buffer | undefined;

/** A real crop (of a real photo), made once. */
export async function realThumbnail(): Promise<Buffer> {
  thumbnail ??= await makeThumbnail(readImage('parrot.jpg'));
  return thumbnail;
}
