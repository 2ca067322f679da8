import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { benchMarkdown } from './markdown';
import type { BenchReport } from './run-bench';
import { type ChartPoint, tradeoffChart } from './svg-chart';

/** The grid's measured points with a published top-1, one series per engine and precision. */
export function chartPoints(report: BenchReport): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const row of report.grid) {
    const result = row.outcome.result;
    if (!result || row.top1 === undefined) continue;
    points.push({
      label: row.name,
      series: `${row.engine} ${row.precision}`,
      latencyMs: result.totalMs.median,
      top1: row.top1,
    });
  }
  return points;
}

export function benchChart(report: BenchReport): string {
  return tradeoffChart(chartPoints(report), {
    title: `MobileNet α × ρ: latency vs published top-1 (${report.machine}, load ${report.loadavgStart[0].toFixed(1)})`,
    xLabel: 'one 640×480 JPEG → labels, median ms (log scale)',
    yLabel: 'published ImageNet top-1 (%)',
  });
}

/** Writes bench.md, bench.json and bench.svg into `dir` (created if missing); returns their paths. */
export async function writeBenchReport(report: BenchReport, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['bench.md', benchMarkdown(report)],
    ['bench.json', `${JSON.stringify(report, null, 2)}\n`],
    ['bench.svg', benchChart(report)],
  ];
  for (const [name, text] of files) await fs.writeFile(path.join(dir, name), text);
  return files.map(([name]) => path.join(dir, name));
}
