import { checkClassifierOptions } from '../runner/classifier-options';

/**
 * The engines a measurement can ask for. Each is one entry: the bench times every entry this
 * build of the package accepts, and skips (and says so) the rest, so an engine that lands later
 * joins the tables, the chart and `tune` without touching anything else.
 */
export interface EngineEntry {
  /** Shown in tables and the chart legend. */
  name: string;
  /** Classifier options that select it; undefined when this build of the package has no such engine. */
  options(): Record<string, unknown> | undefined;
  /** Node flags its child process needs (e.g. wasm features not on by default in Node 20). */
  execArgv?: string[];
}

/** True when Classifier.load() accepts this option name (it refuses unknown ones with a TypeError). */
export function acceptsOption(name: string, value: unknown): boolean {
  try {
    checkClassifierOptions({ model: 'probe', [name]: value });
    return true;
  } catch {
    return false;
  }
}

function selectEngine(name: string): () => Record<string, unknown> | undefined {
  return () => {
    if (acceptsOption('engine', name)) return { engine: name };
    // Before engines were selectable, the fused TF.js graph was the only one.
    return name === 'tfjs' && !acceptsOption('engine', 'tfjs') ? {} : undefined;
  };
}

export const ENGINES: readonly EngineEntry[] = [
  { name: 'tfjs', options: selectEngine('tfjs') },
  { name: 'litert', options: selectEngine('litert'), execArgv: ['--experimental-wasm-relaxed-simd'] },
];

/** The engines this build accepts, with their options resolved. */
export function availableEngines(only?: readonly string[]): Array<EngineEntry & { selected: Record<string, unknown> }> {
  const found: Array<EngineEntry & { selected: Record<string, unknown> }> = [];
  for (const engine of ENGINES) {
    if (only && !only.includes(engine.name)) continue;
    const selected = engine.options();
    if (selected) found.push({ ...engine, selected });
  }
  return found;
}

/** Worker counts to measure throughput with: 1 … max when the pool option exists, else the one worker. */
export function workerCounts(max: number): number[] {
  if (!acceptsOption('workers', 2)) return [1];
  return Array.from({ length: Math.max(1, max) }, (_, i) => i + 1);
}
