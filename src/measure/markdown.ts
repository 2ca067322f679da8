import * as path from 'node:path';
import type { BenchReport, GridRow } from './run-bench';
import type { Spread } from './stats';

function ms(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function withP90(s: Spread | undefined): string {
  return s ? `${ms(s.median)} (${ms(s.p90)})` : '—';
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function modelName(model: string): string {
  return model.includes(path.sep) ? path.basename(model) : model;
}

/** The grid's columns: every engine × precision that has a row, in first-seen order. */
function variants(grid: GridRow[]): string[] {
  return [...new Set(grid.map((row) => `${row.engine} ${row.precision}`))];
}

/** The report as Markdown: what was run, on what, under what load, and every figure with its p90. */
export function benchMarkdown(report: BenchReport): string {
  const { settings } = report;
  const lines: string[] = [
    '# MobileNet bench',
    '',
    `${report.machine}, Node ${report.node}, ${report.date}. Load average (1 min) ` +
      `${report.loadavgStart[0].toFixed(2)} at start, ${report.loadavgEnd[0].toFixed(2)} at end.`,
    '',
    `One process per configuration. Times are medians (p90) in ms of ${settings.runs} frames after ` +
      `${settings.warmup} warm-up frames (grid: ${settings.gridRuns}); one frame is a 640×480 JPEG → top-5 labels.`,
    '',
    '## One frame, per model',
    '',
    ...table(
      [
        'model',
        'engine',
        'JPEG → labels',
        'decode + preprocess',
        'queue wait',
        'inference',
        'cold start',
        'load + first',
        'RSS after load (MB)',
        'RSS after frames (MB)',
      ],
      report.models.map((row) => {
        const r = row.outcome.result;
        const engine = r ? `${r.engine}${row.requested === 'default' ? ' (default)' : ''}` : row.requested;
        if (!r) return [modelName(row.model), engine, `failed: ${row.outcome.error}`, '', '', '', '', '', '', ''];
        return [
          modelName(row.model),
          engine,
          withP90(r.totalMs),
          withP90(r.preprocessMs),
          withP90(r.queueMs),
          withP90(r.inferenceMs),
          ms(r.coldStartMs),
          ms(r.loadAndFirstMs),
          r.rssAfterLoadMb.toFixed(0),
          `${r.rssAfterFramesMb.toFixed(0)} (${r.framesForRss} frames)`,
        ];
      }),
    ),
    '',
    'Cold start: the process starting → the first label. Load + first: `Classifier.load()` and the first `classify()`.',
    '',
  ];
  if (report.throughput.length > 0) {
    lines.push(
      '## Throughput, saturated',
      '',
      `${settings.saturateFrames} frames queued at once; event-loop delay is the main thread's, meanwhile.`,
      '',
      ...table(
        ['model', 'engine', 'workers', 'frames/s', 'event-loop p99 (ms)'],
        report.throughput.map((row) => [
          modelName(row.model),
          row.engine,
          String(row.workers),
          row.fps === undefined ? `failed: ${row.error ?? 'no result'}` : row.fps.toFixed(1),
          ms(row.eventLoopP99Ms),
        ]),
      ),
      '',
    );
  }
  if (report.grid.length > 0) {
    const columns = variants(report.grid);
    const points = [...new Map(report.grid.map((row) => [row.name, row])).values()];
    lines.push(
      '## α × ρ grid',
      '',
      'JPEG → labels, median ms (inference alone in brackets). Networks without weights on this machine are the ' +
        'architecture builder’s (latency does not depend on weight values). Top-1: published ImageNet figures ' +
        '(tensorflow/models slim tables); † the float figure, as V2 publishes no int8 one.',
      '',
      ...table(
        ['model', 'top-1 float', 'top-1 int8', ...columns],
        points.map((point) => {
          const rowsOf = report.grid.filter((row) => row.name === point.name);
          const top1 = (precision: string) => {
            const row = rowsOf.find((r) => r.precision === precision);
            return row?.top1 === undefined ? '—' : `${row.top1}${row.top1IsFloatFigure ? '†' : ''}`;
          };
          return [
            point.name,
            top1('float'),
            top1('int8'),
            ...columns.map((column) => {
              const row = rowsOf.find((r) => `${r.engine} ${r.precision}` === column);
              const r = row?.outcome.result;
              return r ? `${ms(r.totalMs.median)} (${ms(r.inferenceMs.median)})` : '—';
            }),
          ];
        }),
      ),
      '',
    );
    const reasons = [...new Set(report.grid.filter((row) => row.outcome.error).map((row) => row.outcome.error))];
    if (reasons.length > 0) lines.push(`—: ${reasons.join('; ')}.`, '');
  }
  if (report.extras.length > 0) {
    lines.push(
      '## Other pipelines, same frame',
      '',
      ...table(
        ['pipeline', 'JPEG → labels', 'decode + preprocess', 'inference', 'cold start', 'RSS after load (MB)'],
        report.extras.map((row) => {
          const r = row.outcome.result;
          if (!r) return [row.description, `failed: ${row.outcome.error}`, '', '', '', ''];
          return [
            row.description,
            withP90(r.totalMs),
            withP90(r.preprocessMs),
            withP90(r.inferenceMs),
            ms(r.coldStartMs),
            r.rssAfterLoadMb.toFixed(0),
          ];
        }),
      ),
      '',
    );
  }
  lines.push('## Summary', '', '```json', JSON.stringify(report.summary, null, 2), '```', '');
  return lines.join('\n');
}
