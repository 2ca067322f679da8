import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type FramesAccuracy, framesAccuracy, readLabelledFrames } from '../../measure/frames-accuracy';
import { cachedOfficialModel } from '../../measure/model-sources';
import { fullPreset, quickPreset } from '../../measure/presets';
import { type Candidate, MAX_BUSY, type Recommendation, recommend } from '../../measure/recommend';
import { int8FromLayers } from '../../measure/int8-converter';
import { runBench } from '../../measure/run-bench';
import { fullGrid } from '../../measure/grid';
import type { CliCommand } from '../command';

const HELP = `Usage: mobilenet tune --budget-ms B [--fps F] [--frames DIR] [--model M]... [--engine E]...
                      [--quick] [--json]

Measures the MobileNet α × ρ grid on this machine (as \`mobilenet bench\` does: every engine and
precision that loads here) and recommends the most accurate model whose 640×480 JPEG → labels
time is within B ms and keeps the classifier at most ${MAX_BUSY * 100}% busy at F frames/s (default
F = 1000 / B), then prints the table it decided from.

Accuracy is the published ImageNet top-1, unless --frames DIR is given: a folder with one
sub-folder of images per label (your own frames), or a label set's folder (its examples). The
candidates are then the models with weights on this machine (--model M, and catalog models in the
model cache), ranked by few-shot accuracy on those frames: a few frames per label taught as
prototypes, the rest classified, over 10 seeded draws. --quick measures two grid points with few
frames (a smoke test).`;

function describeAccuracy(result: FramesAccuracy): string {
  return `${result.shots} shot(s) per label, ${result.heldOut} held-out frames × ${result.draws} draws`;
}

function table(recommendation: Recommendation): string {
  const lines = [
    '| model | engine | precision | JPEG → labels (ms) | busy at fps | accuracy (%) | fits |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of recommendation.rows) {
    lines.push(
      `| ${row === recommendation.chosen ? `**${row.name}**` : row.name} | ${row.engine} | ${row.precision} | ` +
        `${row.latencyMs.toFixed(1)} | ${(100 * row.busy).toFixed(0)}% | ${row.accuracy.toFixed(1)} | ` +
        `${row.fits ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

export const tuneCommand: CliCommand = {
  summary: 'recommend the most accurate model that fits a time budget on this machine',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        'budget-ms': { type: 'string' },
        fps: { type: 'string' },
        frames: { type: 'string' },
        model: { type: 'string', multiple: true },
        engine: { type: 'string', multiple: true },
        quick: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const budgetMs = Number(values['budget-ms']);
    const fps = values.fps === undefined ? undefined : Number(values.fps);
    if (!(budgetMs > 0) || (fps !== undefined && !(fps > 0))) {
      console.error(`mobilenet tune: give --budget-ms as a positive number (and --fps, if any, too)\n\n${HELP}`);
      return 2;
    }
    const preset = values.quick ? quickPreset() : fullPreset();
    const common = {
      ...preset,
      engines: values.engine,
      throughputModel: null,
      saturateFrames: 0,
      framesForRss: 0,
      int8Converter: int8FromLayers,
    };
    let candidates: Candidate[];
    let basis: string;
    if (values.frames) {
      const frames = await readLabelledFrames(values.frames);
      const models = [...(values.model ?? [])];
      for (const point of fullGrid()) {
        for (const precision of ['float', 'int8'] as const) {
          const cached = await cachedOfficialModel(point, precision);
          if (cached && !models.includes(cached)) models.push(cached);
        }
      }
      if (models.length === 0) {
        console.error('mobilenet tune: --frames needs models with weights here: give --model M (or fetch one first)');
        return 2;
      }
      const report = await runBench({ ...common, models, grid: [] });
      const accuracy = new Map<string, FramesAccuracy>();
      for (const model of models) accuracy.set(model, await framesAccuracy(model, frames));
      candidates = report.models.flatMap((row) => {
        const result = row.outcome.result;
        const measured = accuracy.get(row.model);
        if (!result || !measured) return [];
        return [
          {
            name: path.basename(row.model),
            model: row.model,
            engine: result.engine,
            precision: row.model.endsWith('.tflite') ? '.tflite file' : 'TF.js model',
            latencyMs: result.totalMs.median,
            accuracy: 100 * measured.accuracy,
            accuracySource: 'your frames' as const,
          },
        ];
      });
      const first = accuracy.values().next().value as FramesAccuracy;
      basis = `accuracy on ${frames.length} frames of ${values.frames} (${describeAccuracy(first)})`;
    } else {
      const report = await runBench({ ...common, models: [] });
      candidates = report.grid.flatMap((row) =>
        row.outcome.result && row.top1 !== undefined
          ? [
              {
                name: row.name,
                engine: row.engine,
                precision: row.precision,
                latencyMs: row.outcome.result.totalMs.median,
                accuracy: row.top1,
                accuracySource: 'published ImageNet top-1' as const,
              },
            ]
          : [],
      );
      basis = 'published ImageNet top-1 (tensorflow/models slim tables)';
    }
    const recommendation = recommend(candidates, budgetMs, fps);
    if (values.json) {
      console.log(JSON.stringify({ ...recommendation, basis }));
    } else {
      console.log(
        `Budget ${budgetMs} ms per frame at ${recommendation.fps.toFixed(1)} frames/s (at most ` +
          `${MAX_BUSY * 100}% busy); accuracy: ${basis}.\n`,
      );
      console.log(table(recommendation));
      const chosen = recommendation.chosen;
      console.log(
        chosen
          ? `\nRecommended: ${chosen.name} on ${chosen.engine} (${chosen.precision}): ` +
              `${chosen.latencyMs.toFixed(1)} ms, ${chosen.accuracy.toFixed(1)}% ${chosen.accuracySource}.`
          : '\nNo model fits this budget here: raise the budget, lower the frame rate, or use a faster board.',
      );
    }
    return recommendation.chosen ? 0 : 1;
  },
};
