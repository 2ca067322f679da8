import type { GoodFrame } from './protocol';
import type { CaseOutcome, FuzzCase, Surface } from './types';

/** One way into the package, as the run drives it. */
export interface SurfaceRunner {
  readonly name: Surface;
  /** Starts the process(es) and classifies good frames until memory has settled. */
  start(): Promise<void>;
  /** RSS after warm-up, MB. */
  steadyMb: number;
  /** Highest RSS seen after warm-up, over every life of the process, MB. */
  peakMb(): number;
  run(fuzzCase: FuzzCase, good: GoodFrame): Promise<CaseOutcome>;
  stop(): Promise<void>;
}

export interface Bounds {
  /** One case (and, separately, the good frame after it) must answer within this. */
  caseMs: number;
  /** Loading a model, starting Node-RED or npm start. */
  startMs: number;
  /** A process past this RSS is killed and the case counted as a crash. */
  maxRssMb: number;
  maxOldSpaceMb: number;
}

export const WARM_UP_FRAMES = 6;

/** The bound for one case: loading a broken model gets the start bound. */
export function caseBound(fuzzCase: FuzzCase, bounds: Bounds): number {
  return fuzzCase.input.type === 'model' ? bounds.startMs : bounds.caseMs;
}
