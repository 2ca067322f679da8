import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { benchMarkdown } from '../../measure/markdown';
import { fullPreset, quickPreset } from '../../measure/presets';
import { int8FromLayers } from '../../measure/int8-converter';
import { runBench } from '../../measure/run-bench';
import { writeBenchReport } from '../../measure/write-report';
import type { CliCommand } from '../command';
import { defaultModel } from '../model-option';

const HELP = `Usage: mobilenet bench [--model M]... [--engine E]... [--out DIR] [--image JPEG]
                       [--quick] [--no-grid] [--json]

Measures on this machine, one child process per configuration (warm-up, then timed frames;
medians and p90):
  - per model M (default $MOBILENET_MODEL or ${defaultModel()}): one 640×480 JPEG → labels, split
    into decode + preprocess, queue wait and inference; cold start (process start → first label,
    and load + first classify); RSS after load and after many frames;
  - throughput with 1 … N inference workers (when this build has a worker pool) and the main
    thread's event-loop delay p99 while saturated;
  - the α × ρ grid: MobileNet V1 (α 1, 0.75, 0.5, 0.25 × 224, 192, 160, 128) and V2 (α 1.4 at 224;
    1, 0.75, 0.5, 0.35 × 224 … 96), float and int8, on every engine that loads here, beside the
    published ImageNet top-1. Networks without weights here are timed with the architecture
    builder's (latency does not depend on weight values); int8 is the official file where it is
    in the model cache, else the builder's network quantised as "quantize --int8" does.
Writes bench.md, bench.json and bench.svg (latency vs top-1, Pareto front labelled) into DIR
(default ./mobilenet-bench) and prints the Markdown, or with --json one summary object as the
last line. --quick runs every section with a few frames and a two-point grid (a smoke test, not
figures to quote). Close other work first: the machine's load changes every figure.`;

export const benchCommand: CliCommand = {
  summary: 'measure models, engines and the α×ρ grid on this machine (tables, JSON, SVG chart)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        model: { type: 'string', multiple: true },
        engine: { type: 'string', multiple: true },
        out: { type: 'string', default: 'mobilenet-bench' },
        image: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'no-grid': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const preset = values.quick ? quickPreset() : fullPreset();
    const report = await runBench({
      ...preset,
      grid: values['no-grid'] ? [] : preset.grid,
      models: values.model ?? [defaultModel()],
      engines: values.engine,
      image: values.image,
      int8Converter: int8FromLayers,
    });
    const files = await writeBenchReport(report, path.resolve(values.out));
    if (values.json) {
      console.log(JSON.stringify(report.summary));
    } else {
      console.log(benchMarkdown(report));
      console.log(`Wrote ${files.join(', ')}`);
    }
    const failed = report.models.filter((row) => row.outcome.error);
    return failed.length === report.models.length ? 1 : 0;
  },
};
