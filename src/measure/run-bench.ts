import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { toError } from '../to-error';
import { acceptsOption, availableEngines, workerCounts } from './engines';
import { cameraFrame } from './frame';
import { type GridPoint, pointName, publishedTop1 } from './grid';
import type { ChildReply, FrameJob, FrameMeasurement } from './job';
import { type Int8Converter, type LocalModels, modelFor, type Precision } from './model-sources';
import { Progress } from './progress';
import { runChild } from './run-child';
import { type BenchSummary, summarize } from './summary';

/** A measurement outside this package's own classifier (e.g. another library), run the same way. */
export interface ExtraJob {
  /** Key in the report, e.g. 'peer' or 'lean'. */
  name: string;
  /** What it is, for the table. */
  description: string;
  /** A script that takes a FrameJob (its `model`/`options` are its own) and replies like child-main. */
  script: string;
  model: string;
  options?: Record<string, unknown>;
  execArgv?: string[];
}

export interface BenchOptions {
  /** Models for the per-frame section (catalog name, directory or .tflite); the first is the headline. */
  models: string[];
  /** The model for throughput with 1 … N workers (default the first); null: no throughput section. */
  throughputModel?: string | null;
  /** Restrict to these engine names. */
  engines?: string[];
  grid: GridPoint[];
  precisions: Precision[];
  /** A photo to make the 640×480 frame from (default: a synthetic picture). */
  image?: string;
  warmup: number;
  runs: number;
  gridRuns: number;
  framesForRss: number;
  saturateFrames: number;
  maxWorkers: number;
  local?: LocalModels;
  int8Converter?: Int8Converter;
  extras?: ExtraJob[];
  /** Where model files made for the run go (builder networks); default a temporary folder, removed after. */
  workDir?: string;
  progress?: boolean;
}

export type Outcome = { result: FrameMeasurement; error?: undefined } | { result?: undefined; error: string };

export interface ModelRow {
  model: string;
  /** The engine asked for ('default' = no engine option), and the one that ran is in result.engine. */
  requested: string;
  outcome: Outcome;
}

export interface ThroughputRow {
  model: string;
  engine: string;
  workers: number;
  fps?: number;
  eventLoopP99Ms?: number;
  error?: string;
}

export interface GridRow {
  point: GridPoint;
  name: string;
  precision: Precision;
  engine: string;
  /** Where the timed file came from: builder network, cached official weights or a local file. */
  origin?: string;
  /** Published ImageNet top-1 (%), float or quantised figure as published. */
  top1?: number;
  /** True when top1 is the float network's figure standing in for an int8 model (none published for it). */
  top1IsFloatFigure?: boolean;
  outcome: Outcome;
}

export interface ExtraRow {
  name: string;
  description: string;
  outcome: Outcome;
}

export interface BenchReport {
  machine: string;
  node: string;
  date: string;
  loadavgStart: number[];
  loadavgEnd: number[];
  settings: { warmup: number; runs: number; gridRuns: number; framesForRss: number; saturateFrames: number };
  models: ModelRow[];
  throughput: ThroughputRow[];
  grid: GridRow[];
  extras: ExtraRow[];
  summary: BenchSummary;
}

function outcomeOf(reply: ChildReply): Outcome {
  return reply.ok ? { result: reply.result } : { error: reply.error };
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length}× ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.arch()}`;
}

/**
 * Measures everything `mobilenet bench` reports, one child process per configuration: per model a
 * frame's stages, cold start and memory; throughput and event-loop delay with 1 … N workers; every
 * grid point on every engine and precision this build has; and any extra jobs (the peer library).
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const loadavgStart = os.loadavg();
  const workDir = options.workDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'mobilenet-bench-')));
  const ownWorkDir = !options.workDir;
  try {
    const jpegPath = path.join(workDir, 'frame-640x480.jpg');
    await fs.mkdir(workDir, { recursive: true });
    await fs.writeFile(jpegPath, await cameraFrame(options.image));
    const engines = availableEngines(options.engines);
    // With a worker pool every count is a run of its own (the default count differs between boards);
    // without one, the per-model run of the throughput model saturates its one worker.
    const pool = acceptsOption('workers', 1);
    const workers = pool ? workerCounts(options.maxWorkers) : [];
    const throughputModel =
      options.throughputModel === null ? undefined : (options.throughputModel ?? options.models[0]);
    const extras = options.extras ?? [];
    const total =
      options.models.length * engines.length +
      (throughputModel ? workers.length * engines.length : 0) +
      options.grid.length * options.precisions.length * engines.length +
      extras.length;
    const progress = new Progress(total, options.progress === false ? nullStream() : process.stderr);
    const frameJob = (model: string, jobOptions: Record<string, unknown>, saturate: boolean) => ({
      model,
      options: jobOptions,
      jpegPath,
      warmup: options.warmup,
      runs: options.runs,
      framesForRss: Math.max(options.framesForRss, options.warmup + options.runs + 1),
      ...(saturate ? { saturateFrames: options.saturateFrames } : {}),
    });

    const models: ModelRow[] = [];
    const throughput: ThroughputRow[] = [];
    for (const model of options.models) {
      // The default engine first (no engine option: what a user gets), then every other one here.
      let defaultEngine: string | undefined;
      for (const [index, engine] of engines.entries()) {
        // With engines named by the caller every run names its engine; otherwise the first is the default.
        const asDefault = index === 0 && !options.engines;
        const requested = asDefault ? 'default' : engine.name;
        const jobOptions = asDefault ? {} : engine.selected;
        if (index > 0 && engine.name === defaultEngine) {
          progress.step(`${model}: ${engine.name} is the default, measured above`);
          continue;
        }
        progress.step(`${path.basename(model)} · ${requested}`);
        const outcome = outcomeOf(
          await runChild(frameJob(model, jobOptions, model === throughputModel && !pool), {
            execArgv: asDefault ? defaultExecArgv(engines) : engine.execArgv,
          }),
        );
        if (asDefault) defaultEngine = outcome.result?.engine;
        models.push({ model, requested, outcome });
        if (model === throughputModel && !pool) {
          const saturated = outcome.result?.saturated;
          throughput.push({
            model,
            engine: outcome.result?.engine ?? requested,
            workers: 1,
            fps: saturated?.fps,
            eventLoopP99Ms: saturated?.eventLoopP99Ms,
            error: outcome.error,
          });
        }
      }
    }
    if (throughputModel) {
      for (const engine of engines) {
        for (const count of workers) {
          progress.step(`${path.basename(throughputModel)} · ${engine.name} · ${count} worker(s) saturated`);
          const reply = await runChild(
            { ...frameJob(throughputModel, { ...engine.selected, workers: count }, true), runs: 3, warmup: 2 },
            { execArgv: engine.execArgv },
          );
          const saturated = reply.ok ? reply.result.saturated : undefined;
          throughput.push({
            model: throughputModel,
            engine: reply.ok ? reply.result.engine : engine.name,
            workers: count,
            fps: saturated?.fps,
            eventLoopP99Ms: saturated?.eventLoopP99Ms,
            error: reply.ok ? undefined : reply.error,
          });
        }
      }
    }

    const grid: GridRow[] = [];
    for (const point of options.grid) {
      for (const precision of options.precisions) {
        for (const engine of engines) {
          const name = pointName(point);
          progress.step(`grid ${name} ${precision} · ${engine.name}`);
          const published = publishedTop1(point, precision === 'int8');
          const row: GridRow = {
            point,
            name,
            precision,
            engine: engine.name,
            top1: published.top1,
            top1IsFloatFigure: published.floatFigure,
            outcome: { error: 'no model at this precision on this machine' },
          };
          grid.push(row);
          let source;
          try {
            source = await modelFor(point, precision, {
              local: options.local,
              workDir,
              int8Converter: options.int8Converter,
            });
          } catch (error) {
            row.outcome = { error: `could not make the model: ${toError(error).message}` };
            continue;
          }
          if (!source) continue;
          row.origin = source.origin;
          row.outcome = outcomeOf(
            await runChild(
              {
                ...frameJob(source.model, engine.selected, false),
                warmup: Math.min(options.warmup, 3),
                runs: options.gridRuns,
                framesForRss: 0,
              },
              { execArgv: engine.execArgv },
            ),
          );
        }
      }
    }

    const extraRows: ExtraRow[] = [];
    for (const extra of extras) {
      progress.step(extra.description);
      const reply = await runChild(
        { ...frameJob(extra.model, extra.options ?? {}, false) },
        { script: extra.script, execArgv: extra.execArgv },
      );
      extraRows.push({ name: extra.name, description: extra.description, outcome: outcomeOf(reply) });
    }
    progress.finish();

    const report: Omit<BenchReport, 'summary'> = {
      machine: machineDescription(),
      node: process.version,
      date: new Date().toISOString(),
      loadavgStart,
      loadavgEnd: os.loadavg(),
      settings: {
        warmup: options.warmup,
        runs: options.runs,
        gridRuns: options.gridRuns,
        framesForRss: options.framesForRss,
        saturateFrames: options.saturateFrames,
      },
      models,
      throughput,
      grid,
      extras: extraRows,
    };
    return { ...report, summary: summarize(report) };
  } finally {
    if (ownWorkDir) await fs.rm(workDir, { recursive: true, force: true });
  }
}

/** The default engine's child gets every engine's flags: which engine `auto` picks is not known beforehand. */
function defaultExecArgv(engines: ReturnType<typeof availableEngines>): string[] {
  return [...new Set(engines.flatMap((engine) => engine.execArgv ?? []))];
}

function nullStream(): NodeJS.WriteStream {
  return { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
}

export type { FrameJob };
