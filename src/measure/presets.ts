import * as os from 'node:os';
import { fullGrid, quickGrid } from './grid';
import type { BenchOptions } from './run-bench';

type Preset = Pick<
  BenchOptions,
  'grid' | 'warmup' | 'runs' | 'gridRuns' | 'framesForRss' | 'saturateFrames' | 'maxWorkers' | 'precisions'
>;

/** The full measurement: the whole grid, enough frames for a steady median, 100 frames to saturate. */
export function fullPreset(): Preset {
  return {
    grid: fullGrid(),
    precisions: ['float', 'int8'],
    warmup: 5,
    runs: 30,
    gridRuns: 10,
    framesForRss: 200,
    saturateFrames: 100,
    maxWorkers: Math.min(4, Math.max(2, os.cpus().length)),
  };
}

/** Seconds, not minutes: every section runs, with too few frames for figures worth quoting. */
export function quickPreset(): Preset {
  return {
    grid: quickGrid(),
    precisions: ['float', 'int8'],
    warmup: 1,
    runs: 3,
    gridRuns: 2,
    framesForRss: 5,
    saturateFrames: 6,
    maxWorkers: 2,
  };
}
