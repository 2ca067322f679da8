import * as path from 'node:path';
import type { LabelSetModel } from './document';
import { LabelSetError } from './errors';
import { LABELSET_LIMITS } from './limits';

/** Which model the set is (to be) used with: `classifier.info.fingerprint` and `.embeddingSize`. */
export interface LabelSetModelOptions {
  fingerprint: string;
  embeddingSize: number;
  /** Shown in error messages and stored in a new set. */
  modelName?: string;
  /**
   * Open a set taught with another model anyway, to re-embed it from its stored crops with `reembed()`;
   * until then `add` and `match` refuse. Without it such a set is refused with `model-mismatch`.
   */
  allowModelChange?: boolean;
}

export function checkModelOptions(options: LabelSetModelOptions): LabelSetModel {
  if (typeof options !== 'object' || options === null) {
    throw new LabelSetError(
      'bad-option',
      'Label set options must be an object {fingerprint, embeddingSize, modelName?}',
    );
  }
  const { fingerprint, embeddingSize, modelName } = options;
  if (typeof fingerprint !== 'string' || fingerprint.length === 0) {
    throw new LabelSetError('bad-option', 'Label set options need the model fingerprint (classifier.info.fingerprint)');
  }
  if (!Number.isInteger(embeddingSize) || embeddingSize < 1 || embeddingSize > LABELSET_LIMITS.maxEmbeddingSize) {
    throw new LabelSetError(
      'bad-option',
      `Label set options need embeddingSize 1..${LABELSET_LIMITS.maxEmbeddingSize} ` +
        `(classifier.info.embeddingSize), got ${JSON.stringify(embeddingSize)}`,
    );
  }
  return { fingerprint, embeddingSize, ...(typeof modelName === 'string' ? { name: modelName } : {}) };
}

export function checkFolderName(dir: unknown): string {
  if (typeof dir !== 'string' || dir.trim().length === 0) {
    throw new LabelSetError('bad-option', `A label set folder must be a non-empty path, got ${JSON.stringify(dir)}`);
  }
  return path.resolve(dir);
}

export function sameModel(a: LabelSetModel, b: LabelSetModel): boolean {
  return a.fingerprint === b.fingerprint && a.embeddingSize === b.embeddingSize;
}

export function describeModel(model: LabelSetModel): string {
  const name = model.name === undefined ? 'the model' : `model ${model.name}`;
  return `${name} (fingerprint ${model.fingerprint}, ${model.embeddingSize} values)`;
}

export function checkSameModel(
  stored: LabelSetModel,
  target: LabelSetModel,
  where: string,
  allowChange: boolean,
): void {
  if (sameModel(stored, target) || allowChange) return;
  throw new LabelSetError(
    'model-mismatch',
    `${where} was taught with ${describeModel(stored)}, not ${describeModel(target)}: ` +
      'use the model it was taught with, ' +
      'or open it with allowModelChange and call reembed() to recompute it from its stored crops',
    { file: where },
  );
}
