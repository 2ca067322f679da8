import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { ModelLoadError } from './errors';
import { hashFilesInOrder } from './hash-files';
import { readModelJson } from './model-files';
import type { ModelFormat } from './model-format';
import type { Normalization } from './normalization';

/** What a model fingerprint is computed from: its files, its input shape and its normalisation. */
export interface FingerprintInput {
  format: ModelFormat;
  /** The directory holding model.json, or the .tflite file. */
  path: string;
  /** [height, width, channels] the model is fed. */
  inputShape: readonly number[];
  normalization: Normalization;
}

const cannotRead = (file: string, error: Error): Error =>
  new ModelLoadError(`Cannot read ${file} to fingerprint the model: ${error.message}`);

/** One file, streamed: a .tflite can be tens of MB. */
function hashFile(hash: Hash, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', (error) => reject(cannotRead(file, error)));
  });
}

/**
 * A short, stable identity of what an embedding depends on: the weight bytes (the shards a
 * model.json lists, in order, or the whole .tflite file), the input size and the normalisation.
 * The same model reached by catalog name, directory or URL has the same fingerprint; a label set
 * stores it to refuse embeddings from another model. 16 hex digits of a SHA-256.
 */
export async function modelFingerprint(input: FingerprintInput): Promise<string> {
  return finishFingerprint(await hashWeights(input), input);
}

/**
 * The weight bytes' part of the fingerprint, which needs nothing a loaded model tells: `Classifier.load` reads it
 * while its workers load the model, then adds what they report (`finishFingerprint`).
 */
export async function hashWeights(input: Pick<FingerprintInput, 'format' | 'path'>): Promise<Hash> {
  const hash = createHash('sha256');
  if (input.format === 'tflite') {
    await hashFile(hash, input.path);
  } else {
    const model = await readModelJson(input.path);
    const shards = model.weightsManifest.flatMap((group) => group.paths.map((shard) => path.join(input.path, shard)));
    await hashFilesInOrder(hash, shards, cannotRead);
  }
  return hash;
}

/** The fingerprint from the weights' hash, the input size and the normalisation. */
export function finishFingerprint(hash: Hash, input: Pick<FingerprintInput, 'inputShape' | 'normalization'>): string {
  const { scale, offset } = input.normalization;
  hash.update(`\ninput ${input.inputShape.join('x')}\nnormalization ${scale} ${offset}\n`);
  return hash.digest('hex').slice(0, 16);
}
