import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_FILE_BYTES, readImageFile } from '../../image/read-image-file';
import { type Classifier, checkNewLabel, type LabelSet, toError } from '../../index';
import type { ImageInput } from '../../image/types';
import type { CliCommand } from '../command';
import { openSetFor, rememberedModelName, storedModel } from '../label-set-option';
import { defaultModel, loadWithProgress } from '../model-option';

const HELP = `Usage: mobilenet teach [--model M] --set DIR --label L [--json] IMAGE...

Adds each image as an example of label L to the label set in DIR (a folder of plain files:
labelset.json, examples.jsonl for the latest additions, and examples/*.jpg). A new set
remembers the model it was taught with; an existing set uses its own model and refuses
another one.

  --set DIR      the label set's folder (created when it does not exist)
  --label L      the class the images show (letters, digits, spaces, _ - . ' ( ); not "unknown")
  --model M      model for a new set: catalog name, directory with model.json, .tflite file or
                 URL (default: $MOBILENET_MODEL or ${defaultModel()}); for an existing set only its own
  --json         one JSON object per line per image: {"file", "label", "id"} or {"file", "error"}
  --max-file-bytes N  refuse image files larger than N bytes unread (default ${DEFAULT_MAX_FILE_BYTES})

An image that cannot be taught prints an error and makes the exit status 1; the others are taught.`;

export const teachCommand: CliCommand = {
  summary: 'teach a label set your own label from example images',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        set: { type: 'string' },
        label: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean', default: false },
        'max-file-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const problem = checkTeachFlags(values, positionals);
    if (problem) {
      console.error(`mobilenet teach: ${problem}\n\n${HELP}`);
      return 2;
    }
    const dir = values.set as string;
    const label = values.label as string;
    const maxFileBytes = values['max-file-bytes'] === undefined ? undefined : Number(values['max-file-bytes']);
    const stored = await storedModel(dir);
    const model = values.model ?? stored?.name ?? defaultModel();
    const classifier = await loadWithProgress({ model, queuePolicy: 'wait' });
    let failures = 0;
    try {
      const set = await openSetFor(dir, classifier, rememberedModelName(model), true);
      for (const file of positionals) {
        try {
          const image = await readImageFile(file, { maxFileBytes });
          const id = await teachOne(classifier, set, label, image);
          if (values.json) console.log(JSON.stringify({ file, label, id }));
          else console.log(`${path.basename(file)}: taught as "${label}" (example ${id})`);
        } catch (error) {
          failures++;
          const message = toError(error).message;
          if (values.json) console.log(JSON.stringify({ file, error: message }));
          else console.error(`${path.basename(file)}: error: ${message}`);
        }
      }
      const count = set.classes().find((c) => c.label === label)?.count ?? 0;
      if (!values.json)
        console.log(`"${label}" now has ${count} example${count === 1 ? '' : 's'} in ${path.resolve(dir)}`);
    } finally {
      await classifier.dispose();
    }
    return failures > 0 ? 1 : 0;
  },
};

/** Said before any model is loaded: a missing flag or a label the set would refuse. */
function checkTeachFlags(
  values: { set?: string; label?: string; 'max-file-bytes'?: string },
  images: string[],
): string | undefined {
  if (!values.set) return '--set DIR is required (the label set folder)';
  if (values.label === undefined) return '--label L is required (the class the images show)';
  try {
    checkNewLabel(values.label, '--label');
  } catch (error) {
    return toError(error).message;
  }
  if (images.length === 0) return 'no image given';
  const max = values['max-file-bytes'];
  if (max !== undefined && (!Number.isInteger(Number(max)) || Number(max) < 1)) {
    return `--max-file-bytes must be a whole number of bytes ≥ 1, got "${max}"`;
  }
  return undefined;
}

/**
 * One inference gives the embedding and the pixels the model saw, encoded as a JPEG while the model runs: the
 * thumbnail (the crop the set re-embeds from after a model change), so the image is decoded once.
 */
export async function teachOne(
  classifier: Classifier,
  set: LabelSet,
  label: string,
  image: ImageInput,
): Promise<string> {
  const result = await classifier.classify(image, { embedding: true, inputJpeg: true, topK: 1 });
  if (!result.inputJpeg) throw new Error('the classifier did not return the input JPEG it was asked for');
  return set.add(label, result.embedding, result.inputJpeg);
}
