import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { ARCHITECTURES, MAX_ALPHA, MIN_RESOLUTION } from '../../zoo/architectures';
import type { ArchitectureName } from '../../zoo/architectures';
import { describeArchitecture } from '../../zoo/cost';
import { formatCostTable } from '../../zoo/format-cost-table';
import { toError } from '../../to-error';

const HELP = `Usage: mobilenet inspect [--arch v1|v2] [--alpha A] [--resolution R] [--classes N] [--json]

Shows what a MobileNet costs, computed from its architecture: per layer the paper's Table 1
columns (type/stride, filter shape, input size) with multiply-adds and parameters, the saving of
each depthwise separable convolution against a standard one, totals and the share by layer type.

  --arch A        ${ARCHITECTURES.join(' | ')} (default v1)
  --alpha A       width multiplier in (0, ${MAX_ALPHA}] (default 1.0); cost and size scale ~α²
  --resolution R  input width and height in pixels, at least ${MIN_RESOLUTION} (default 224); cost scales ~(R/224)²
  --classes N     output classes (default 1000)
  --json          one JSON object: {"arch", "alpha", "resolution", "macs", "params", "byType", "layers"}`;

function parseNumber(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new RangeError(`--${option} must be a number, got "${text}"`);
  return value;
}

export const inspectCommand: CliCommand = {
  summary: 'show the multiply-adds and parameters of a MobileNet V1/V2 (α, resolution)',
  async run(args) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          arch: { type: 'string', default: 'v1' },
          alpha: { type: 'string' },
          resolution: { type: 'string' },
          classes: { type: 'string' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }));
    } catch (error) {
      console.error(`mobilenet inspect: ${toError(error).message}\n\n${HELP}`);
      return 2;
    }
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    try {
      const classes = parseNumber('classes', values.classes, 1000);
      const description = describeArchitecture({
        arch: values.arch.toLowerCase() as ArchitectureName,
        alpha: parseNumber('alpha', values.alpha, 1),
        resolution: parseNumber('resolution', values.resolution, 224),
        classes,
      });
      console.log(values.json ? JSON.stringify(description) : formatCostTable(description, classes));
      return 0;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      console.error(`mobilenet inspect: ${error.message}`);
      return 2;
    }
  },
};
