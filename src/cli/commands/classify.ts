import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { Classifier } from '../../runner/classifier';
import { DEFAULT_MAX_FILE_BYTES, readImageFile } from '../../image/read-image-file';
import { parseClassifyFlags } from './classify-flags';
import { defaultModel, progressReporter } from '../model-option';
import { toError } from '../../to-error';

const HELP = `Usage: mobilenet classify [--model M] [--top K] [--threshold T] [--json] [--backend B] [--fit F] IMAGE...

  --model M      catalog name, directory with model.json, .tflite file, or http(s) URL
                 (default: $MOBILENET_MODEL or ${defaultModel()})
  --labels FILE  labels file overriding the model's own
  --top K        predictions per image (default 5)
  --threshold T  drop predictions scoring below T (0..1)
  --json         one JSON object per line per image: {"file", "predictions", "timings"}
  --backend B    auto | wasm | tfjs-node | cpu (default auto)
  --fit F        cover (centre crop, default) | fill (squash) | contain (letterbox)
  --float        TFLite: skip activation re-quantisation (faster, less faithful)
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
        top: { type: 'string' },
        threshold: { type: 'string' },
        json: { type: 'boolean', default: false },
        backend: { type: 'string' },
        fit: { type: 'string' },
        float: { type: 'boolean', default: false },
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
    const classifier = await Classifier.load({
      model: values.model ?? defaultModel(),
      labels: values.labels,
      backend: flags.backend,
      fit: flags.fit,
      float: values.float,
      // A CLI run classifies every file it was given: no frame may be dropped.
      queuePolicy: 'wait',
      onProgress: progressReporter(),
    });
    let failures = 0;
    try {
      for (const file of positionals) {
        try {
          const image = await readImageFile(file, { maxFileBytes });
          const result = await classifier.classify(image, { topK, threshold });
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
        }
      }
    } finally {
      await classifier.dispose();
    }
    return failures > 0 ? 1 : 0;
  },
};
