import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { QUANTIZE_DTYPES, quantizeModelDirectory, type QuantizeDtype, type QuantizeReport } from '../../model/quantize';
import { compareModels } from '../compare-models';
import { defaultModel } from '../model-option';
import { INT8_HELP, quantizeInt8 } from './quantize-int8';
import { formatBytes } from '../../store/byte-units';

const HELP = `Usage: mobilenet quantize --dtype uint8|uint16|float16 IN_DIR OUT_DIR [--check IMAGE...]

Writes a copy of a float TF.js model with its weights quantised in the standard TF.js manifest
form (loadable by stock tf.loadLayersModel / loadGraphModel), prints the weight sizes before and
after, and with --check classifies each IMAGE with both models and prints how far apart they are.
Weights are dequantised when the model loads: files shrink, inference speed does not change.

${INT8_HELP}`;

function megabytes(bytes: number): string {
  return formatBytes(bytes);
}

/**
 * What was done, in the terms of the dtype asked for: equalisation, bias correction and uint16 kernels
 * happen only on the integer grids, so a float16 run does not mention them.
 */
export function describeQuantization(report: QuantizeReport, ratio: number): string {
  const sizes =
    `${report.dtype}: weights ${megabytes(report.weightBytesBefore)} → ${megabytes(report.weightBytesAfter)} ` +
    `(${ratio.toFixed(2)}× smaller)`;
  const kept = `${report.tensorsKept} 1-D tensors (biases, batch-norm statistics) kept as float32`;
  if (report.dtype === 'float16') return `${sizes}, ${report.tensorsQuantized} kernels stored as float16, ${kept}`;
  const kernels =
    report.kernelsWidened > 0
      ? `${report.tensorsQuantized} kernels quantised: ${report.tensorsQuantized - report.kernelsWidened} to ` +
        `${report.dtype}, ${report.kernelsWidened} (the smallest) to uint16, which costs little size and holds ` +
        'their rounding error down'
      : `${report.tensorsQuantized} kernels quantised to ${report.dtype}`;
  return (
    `${sizes}, ${kernels}; ${report.channelsEqualized} kernels equalised through their batch-norm first, ` +
    `${report.biasesCorrected} rounding shifts corrected in float32; ${kept}`
  );
}

export const quantizeCommand: CliCommand = {
  summary: 'quantise a TF.js model’s weights (uint8, uint16, float16), or write a full-integer int8 .tflite',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        dtype: { type: 'string', default: 'uint8' },
        int8: { type: 'boolean', default: false },
        calibrate: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
        check: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.int8) {
      return quantizeInt8({
        model: values.model ?? defaultModel(),
        calibrate: values.calibrate,
        out: values.out,
        check: [...(values.check ?? []), ...positionals],
        json: values.json,
      });
    }
    if (values.calibrate || values.model || values.out) {
      console.error(`mobilenet quantize: --calibrate, --model and --out go with --int8\n\n${HELP}`);
      return 2;
    }
    // --check takes one image per flag; images after the two directories count too.
    const [inDir, outDir, ...moreImages] = positionals;
    if (!inDir || !outDir) {
      console.error(`mobilenet quantize: give IN_DIR and OUT_DIR\n\n${HELP}`);
      return 2;
    }
    const dtype = values.dtype as QuantizeDtype;
    if (!QUANTIZE_DTYPES.includes(dtype)) {
      console.error(`mobilenet quantize: unknown --dtype "${dtype}". Valid dtypes are: ${QUANTIZE_DTYPES.join(', ')}`);
      return 2;
    }
    const report = await quantizeModelDirectory(inDir, outDir, dtype);
    const ratio = report.weightBytesBefore / report.weightBytesAfter;
    const images = [...(values.check ?? []), ...moreImages];
    const checks = images.length > 0 ? await compareModels(inDir, outDir, images) : [];
    if (values.json) {
      console.log(JSON.stringify({ ...report, ratio, checks }));
    } else {
      console.log(describeQuantization(report, ratio));
      console.log(`written to ${path.resolve(outDir)} (${(await fs.readdir(outDir)).length} files)`);
      for (const check of checks) {
        console.log(
          `${path.basename(check.file)}: float ${check.floatTop1} / quantised ` +
            `${check.quantizedTop1}${check.floatTop1 === check.quantizedTop1 ? '' : ' (DIFFERENT)'}; ` +
            `largest top-5 score change ${check.maxTop5Delta.toFixed(4)}, largest change over all classes ` +
            `${check.maxDelta.toFixed(4)}`,
        );
      }
    }
    return checks.some((c) => c.floatTop1 !== c.quantizedTop1) ? 1 : 0;
  },
};
