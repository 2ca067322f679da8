import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { selectBackend } from '../../engine/backend';
import { quantizeGraphToInt8 } from '../../engine/int8/quantize-graph';
import { loadModelGraph } from '../../engine/model-graph';
import { MINUS_ONE_TO_ONE } from '../../model/normalization';
import { resolveModel } from '../../resolve/resolve-model';
import { compareModels } from '../compare-models';
import { progressPrinter } from '../model-option';
import { formatBytes } from '../../store/byte-units';

export const INT8_HELP = `Usage: mobilenet quantize --int8 [--calibrate DIR] [--model M] [--out FILE]
                         [--check IMAGE...] [--json]

Writes a full-integer int8 .tflite of a float model (TF.js layers model, Teachable Machine export,
float .tflite; M as for classify, default $MOBILENET_MODEL or mobilenet_v1_0.25_224), as the
TFLite converter's post-training quantisation does: uint8 pixels in, int8 weights per output
channel, int8 activations, float32 scores out. Activation ranges come from running the float model
on the images in DIR and its sub-folders (up to 200; your own camera frames are best). Without
--calibrate, 24 generated images are used (seeded noise with a photograph's spectrum and flat
shapes; no photo ships with the package). --out defaults to <model name>.int8.tflite here.
--check classifies each IMAGE with the float model and the int8 file and prints how far apart
they are (exit code 1 when a top-1 label differs).`;

/** Where the file goes when --out is not given: the model's name, made safe as a file name. */
function defaultOut(name: string): string {
  const base = path.basename(name.replace(/[\\/]+$/, '')).replace(/\.tflite$/i, '');
  return `${base.replace(/[^A-Za-z0-9._-]+/g, '_') || 'model'}.int8.tflite`;
}

export interface Int8Args {
  model: string;
  calibrate?: string;
  out?: string;
  check: string[];
  json: boolean;
}

/** `quantize --int8`: returns the exit code. */
export async function quantizeInt8(args: Int8Args): Promise<number> {
  const printer = progressPrinter();
  const resolved = await resolveModel({ model: args.model, onProgress: printer.onProgress }).finally(() =>
    printer.finish(),
  );
  await selectBackend('wasm');
  const loaded = await loadModelGraph(resolved.format, resolved.localPath);
  if (loaded.quantized) {
    console.error(`mobilenet quantize: ${args.model} is already quantised; int8 starts from a float model`);
    return 2;
  }
  const normalization = loaded.normalization ?? resolved.normalization ?? MINUS_ONE_TO_ONE;
  const started = Date.now();
  const result = await quantizeGraphToInt8(loaded.graph, normalization, args.calibrate);
  const out = path.resolve(args.out ?? defaultOut(resolved.name));
  // Written beside its final name and renamed: a reader never sees half a file.
  const temporary = `${out}.tmp-${process.pid}`;
  await fs.writeFile(temporary, result.bytes);
  await fs.rename(temporary, out);
  const checks = args.check.length > 0 ? await compareModels(args.model, out, args.check, resolved.labels) : [];
  const report = {
    out,
    bytes: result.bytes.length,
    calibration: result.calibration,
    input: result.input,
    quantizeMs: Date.now() - started,
    checks,
  };
  if (args.json) console.log(JSON.stringify(report));
  else {
    console.log(
      `int8: ${out} (${formatBytes(result.bytes.length)}), calibrated on ${result.calibration}; ` +
        `input uint8 pixels, scale ${result.input.scale.toPrecision(6)}, zero point ${result.input.zeroPoint}`,
    );
    for (const check of checks) {
      console.log(
        `${path.basename(check.file)}: float ${check.floatTop1} / int8 ${check.quantizedTop1}` +
          `${check.floatTop1 === check.quantizedTop1 ? '' : ' (DIFFERENT)'}; largest top-5 score change ` +
          `${check.maxTop5Delta.toFixed(4)}, largest change over all classes ${check.maxDelta.toFixed(4)}`,
      );
    }
  }
  return checks.some((c) => c.floatTop1 !== c.quantizedTop1) ? 1 : 0;
}
