import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Classifier, isLabelSetError, LabelSet, type LabelSetModel } from '../index';

/**
 * The model a set was taught with, read without loading any model: the set is opened for inspection
 * (`allowModelChange`, so any model's set opens; nothing is written). Undefined when there is no set in `dir`
 * yet; a corrupt set is refused here with the labelset room's error naming the file.
 */
export async function storedModel(dir: string): Promise<LabelSetModel | undefined> {
  try {
    const set = await LabelSet.open(dir, { fingerprint: 'inspect', embeddingSize: 1, allowModelChange: true });
    return set.model;
  } catch (error) {
    if (isLabelSetError(error) && error.code === 'missing') return undefined;
    throw error;
  }
}

/** How a new set remembers its model: a local path absolutely (the CLI may run from elsewhere next time). */
export function rememberedModelName(model: string): string {
  return fs.existsSync(model) ? path.resolve(model) : model;
}

/**
 * Opens the set in `dir` for `classifier`'s model (`create` for teach). A set taught with another model is
 * refused with what to do instead of a bare fingerprint mismatch.
 */
export async function openSetFor(
  dir: string,
  classifier: Classifier,
  modelName: string,
  create: boolean,
): Promise<LabelSet> {
  const { fingerprint, embeddingSize } = classifier.info;
  try {
    return await LabelSet.open(dir, { fingerprint, embeddingSize, modelName, create });
  } catch (error) {
    if (!isLabelSetError(error) || error.code !== 'model-mismatch') throw error;
    const stored = await storedModel(dir);
    throw new Error(
      `the label set in ${path.resolve(dir)} was taught with model "${stored?.name ?? 'unnamed'}" ` +
        `(fingerprint ${stored?.fingerprint}); it refuses "${modelName}" (fingerprint ${fingerprint}). ` +
        'Leave out --model to use the set’s own model, or teach a new set with --set ANOTHER_DIR.',
    );
  }
}
