import type { BenchReport, GridRow } from './run-bench';

/**
 * The headline figures, one flat object: what `bench --json` prints as its last line. A figure
 * this run could not measure (no peer, no worker pool, no int8 file) is null, never a guess.
 */
export interface BenchSummary {
  /** The engine a classifier gets by default here, as it reported itself. */
  engine: string | null;
  /** Headline model, one 640×480 JPEG → labels, median ms. */
  frameMs: number | null;
  /** Ours ÷ the peer library on the same model and frame (lower is better). */
  latencyRatioVsPeer: number | null;
  peerFrameMs: number | null;
  /** Frames/s with 2 workers ÷ with 1, saturated, on the throughput model. */
  throughputSpeedup2Workers: number | null;
  /** Main-thread event-loop delay p99 while saturated (the most workers measured). */
  eventLoopP99Ms: number | null;
  /** RSS after loading the headline model, MB. */
  rssMb: number | null;
  rssAfterFramesMb: number | null;
  /** Process start → first label, headline model. */
  coldStartMs: number | null;
  /** Cold start ÷ a lean sharp + fused-network pipeline's, when one was measured. */
  coldStartRatioVsLean: number | null;
  /** V2 1.0/224 int8 inference on the default engine, median ms. */
  tfliteV2Ms: number | null;
  /** That ÷ the same file on the TF.js engine. */
  tfliteV2RatioVsTfjs: number | null;
  /** V1 1.0/224 int8 inference on the default engine, median ms. */
  v1Alpha1Int8Ms: number | null;
  loadavg: number;
}

function gridInference(grid: GridRow[], name: string, engine: string | null): number | null {
  const row = grid.find((r) => r.name === name && r.precision === 'int8' && r.engine === engine);
  return row?.outcome.result?.inferenceMs.median ?? null;
}

export function summarize(report: Omit<BenchReport, 'summary'>): BenchSummary {
  const headline = (report.models.find((row) => row.requested === 'default') ?? report.models[0])?.outcome.result;
  const engine = headline?.engine ?? null;
  const peer = report.extras.find((row) => row.name === 'peer')?.outcome.result;
  const lean = report.extras.find((row) => row.name === 'lean')?.outcome.result;
  const onDefault = report.throughput.filter((row) => row.engine === engine && row.fps !== undefined);
  const fps = (workers: number) => onDefault.find((row) => row.workers === workers)?.fps;
  const one = fps(1);
  const two = fps(2);
  const mostWorkers = onDefault.reduce<(typeof onDefault)[number] | undefined>(
    (best, row) => (!best || row.workers > best.workers ? row : best),
    undefined,
  );
  const tfliteV2Ms = gridInference(report.grid, 'v2 1/224', engine);
  const tfliteV2Tfjs = gridInference(report.grid, 'v2 1/224', 'tfjs');
  return {
    engine,
    frameMs: headline?.totalMs.median ?? null,
    latencyRatioVsPeer: headline && peer ? headline.totalMs.median / peer.totalMs.median : null,
    peerFrameMs: peer?.totalMs.median ?? null,
    throughputSpeedup2Workers: one && two ? two / one : null,
    eventLoopP99Ms: mostWorkers?.eventLoopP99Ms ?? null,
    rssMb: headline?.rssAfterLoadMb ?? null,
    rssAfterFramesMb: headline?.rssAfterFramesMb ?? null,
    coldStartMs: headline?.coldStartMs ?? null,
    coldStartRatioVsLean: headline && lean ? headline.coldStartMs / lean.coldStartMs : null,
    tfliteV2Ms,
    tfliteV2RatioVsTfjs: tfliteV2Ms !== null && tfliteV2Tfjs ? tfliteV2Ms / tfliteV2Tfjs : null,
    v1Alpha1Int8Ms: gridInference(report.grid, 'v1 1/224', engine),
    loadavg: Number(report.loadavgEnd[0].toFixed(2)),
  };
}
