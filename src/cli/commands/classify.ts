import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { DEFAULT_ENGINE } from '../../engine/engine';
import type { ImageInput } from '../../image/types';
import {
  type Classifier,
  type LabelSet,
  LabelSetError,
  matchToPredictions,
  type Prediction,
  type Timings,
} from '../../index';
import { DEFAULT_MAX_FILE_BYTES, readImageFile } from '../../image/read-image-file';
import { parseClassifyFlags } from './classify-flags';
import { openSetFor, rememberedModelName, storedModel } from '../label-set-option';
import { defaultModel, loadWithProgress } from '../model-option';
import { defaultWorkers } from '../../runner/worker-count';
import { toError } from '../../to-error';

const HELP = `Usage: mobilenet classify [--model M | --set DIR] [--top K] [--threshold T] [--json] [--engine E]
                          [--backend B] [--fit F] [--workers N] IMAGE...

  --model M      catalog name, directory with model.json, .tflite file, or http(s) URL
                 (default: $MOBILENET_MODEL or ${defaultModel()})
  --labels FILE  labels file overriding the model's own
  --set DIR      answer with the classes of the label set in DIR (see mobilenet teach) instead of
                 the model's, or "unknown" (listed first, scored 1 − the best class's score) when
                 unsure; the set's own model is used, and --model must name that same model
  --top K        predictions per image (default 5)
  --threshold T  drop predictions scoring below T (0..1); with --set, a best score under T is "unknown"
  --json         one JSON object per line per image: {"file", "predictions", "timings"}; the
                 timings name the engine that ran
  --engine E     auto | litert | tfjs (default ${DEFAULT_ENGINE}): LiteRT.js (TFLite + XNNPACK, wasm)
                 or TF.js; auto is LiteRT.js where it can run the model, TF.js otherwise
  --backend B    TF.js backend: auto | wasm | tfjs-node | cpu (default auto)
  --fit F        cover (centre crop, default) | fill (squash) | contain (letterbox)
  --float        TFLite: skip activation re-quantisation (faster, less faithful)
  --workers N    inference worker threads, 1..16, each loading the model (default: one per core
                 but one, and no more than there are images); output stays in the order given
  --max-file-bytes N  refuse image files larger than N bytes unread (default ${DEFAULT_MAX_FILE_BYTES});
                 only regular files are read: pipes, devices and directories are refused

An image that cannot be classified prints {"file", "error"} (or an error line) and makes the
exit status 1; the other images are still classified.`;

export const classifyCommand: CliCommand = {
  summary: 'classify image files and print the top labels',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        labels: { type: 'string' },
        set: { type: 'string' },
        top: { type: 'string' },
        threshold: { type: 'string' },
        json: { type: 'boolean', default: false },
        backend: { type: 'string' },
        engine: { type: 'string' },
        fit: { type: 'string' },
        float: { type: 'boolean', default: false },
        workers: { type: 'string' },
        'max-file-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length === 0) {
      console.error(`mobilenet classify: no image given\n\n${HELP}`);
      return 2;
    }
    const flags = parseClassifyFlags(values);
    if (typeof flags === 'string') {
      console.error(`mobilenet classify: ${flags}`);
      return 2;
    }
    const { topK, threshold, maxFileBytes } = flags;
    if (values.set !== undefined && values.labels !== undefined) {
      console.error('mobilenet classify: --labels and --set both name the labels; give one');
      return 2;
    }
    const stored = values.set === undefined ? undefined : await storedModel(values.set);
    if (values.set !== undefined && !stored) {
      const dir = path.resolve(values.set);
      throw new LabelSetError('missing', `no label set in ${dir}: teach one first with mobilenet teach --set`);
    }
    const model = values.model ?? stored?.name ?? defaultModel();
    const classifier = await loadWithProgress({
      model,
      labels: values.labels,
      backend: flags.backend,
      ...(flags.engine ? { engine: flags.engine } : {}),
      fit: flags.fit,
      float: values.float,
      workers: flags.workers ?? Math.min(defaultWorkers(), positionals.length),
      // A CLI run classifies every file it was given: no frame may be dropped.
      queuePolicy: 'wait',
    });
    let failures = 0;
    try {
      const set =
        values.set === undefined
          ? undefined
          : await openSetFor(values.set, classifier, rememberedModelName(model), false);
      // Every worker kept busy: a few files read and queued ahead of the one printed next. The classifier
      // answers in the order it was given frames, and they are printed in the order the files were named.
      const ahead = 2 * classifier.info.workers;
      const answers: Array<Promise<{ predictions: Prediction[]; timings: Timings }>> = [];
      const start = (index: number): void => {
        if (index >= positionals.length) return;
        const answer = readImageFile(positionals[index], { maxFileBytes }).then((image) =>
          set
            ? classifyWithSet(classifier, set, image, topK, threshold)
            : classifier.classify(image, { topK, threshold }),
        );
        // Settled in order below; until then a failure must not count as unhandled.
        answer.catch(() => undefined);
        answers[index] = answer;
      };
      for (let index = 0; index < ahead; index++) start(index);
      for (const [index, file] of positionals.entries()) {
        try {
          const result = await answers[index];
          if (values.json) {
            console.log(JSON.stringify({ file, predictions: result.predictions, timings: result.timings }));
          } else {
            const labels = result.predictions.map((p) => `${p.label} ${(p.score * 100).toFixed(1)}%`).join(', ');
            console.log(
              `${path.basename(file)}: ${labels || '(nothing above threshold)'}  ` +
                `[${result.timings.totalMs.toFixed(1)} ms]`,
            );
          }
        } catch (error) {
          failures++;
          const message = toError(error).message;
          if (values.json) console.log(JSON.stringify({ file, error: message }));
          else console.error(`${path.basename(file)}: error: ${message}`);
        } finally {
          delete answers[index];
          start(index + ahead);
        }
      }
    } finally {
      await classifier.dispose();
    }
    return failures > 0 ? 1 : 0;
  },
};

/**
 * One inference gives the embedding; the set's classes answer instead of the model's. `threshold` is the set's
 * unknown threshold here (best score under it → unknown).
 */
async function classifyWithSet(
  classifier: Classifier,
  set: LabelSet,
  image: ImageInput,
  topK: number,
  threshold: number | undefined,
): Promise<{ predictions: Prediction[]; timings: Timings }> {
  const result = await classifier.classify(image, { embedding: true, topK: 1 });
  const match = set.match(result.embedding, threshold === undefined ? {} : { threshold });
  return { predictions: matchToPredictions(match, set.labels(), topK), timings: result.timings };
}
