import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoodFrame } from './protocol';
import type { Bounds, SurfaceRunner } from './surface';
import { spawnNode } from './supervisor';
import type { CaseOutcome, FuzzCase } from './types';
import { sleep, within } from './within';

const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

interface Line {
  file?: string;
  error?: string;
  predictions?: Array<{ label: string }>;
}

/**
 * `mobilenet classify --json BAD GOOD`: one process per case, as a shell script would run it. The
 * good photo comes second, so a bad path must fail alone and let the next file classify.
 */
export class CliSurface implements SurfaceRunner {
  readonly name = 'cli' as const;
  steadyMb = 0;
  private peak = 0;
  private readonly goodFiles = new Map<string, string>();

  constructor(
    private readonly model: string,
    private readonly workDir: string,
    private readonly goodFrames: GoodFrame[],
    private readonly bounds: Bounds,
  ) {}

  private goodFile(good: GoodFrame): string {
    let file = this.goodFiles.get(good.label);
    if (!file) {
      file = path.join(this.workDir, `good-${good.label}.img`);
      fs.mkdirSync(this.workDir, { recursive: true });
      fs.writeFileSync(file, good.bytes);
      this.goodFiles.set(good.label, file);
    }
    return file;
  }

  private async classify(files: string[]): Promise<{
    lines: Line[];
    peakMb: number;
    died?: string;
    timedOut: boolean;
    memoryKill: boolean;
    uncaught: string[];
  }> {
    const lines: Line[] = [];
    const cli = spawnNode(
      [CLI, 'classify', '--model', this.model, '--json', '--top', '1', ...files],
      this.bounds.maxOldSpaceMb,
      process.env,
      {
        name: 'cli',
        maxRssMb: this.bounds.maxRssMb,
        onLine: (line) => {
          if (!line.startsWith('{')) return;
          try {
            lines.push(JSON.parse(line) as Line);
          } catch {
            // not one of ours
          }
        },
      },
    );
    // Loading the model takes a few seconds; then each file gets the case bound.
    const bound = this.bounds.caseMs * (2 + files.length);
    // within() clears its timer: a sleep raced against the exit kept the test run alive for the whole bound.
    const timedOut = 'timeout' in (await within(cli.whenExited(), bound));
    if (timedOut) await cli.kill();
    await sleep(50);
    const signalled = cli.child.signalCode !== null && !timedOut;
    return {
      lines,
      peakMb: cli.peakMb,
      died: signalled ? cli.exitDescription : undefined,
      timedOut,
      memoryKill: cli.memoryKilled,
      uncaught: cli.takeUncaught(),
    };
  }

  async start(): Promise<void> {
    const good = this.goodFrames[0];
    const run = await this.classify([this.goodFile(good)]);
    const label = run.lines[0]?.predictions?.[0]?.label;
    if (label !== good.label)
      throw new Error(
        `cli surface: the good photo alone gave ${label ?? JSON.stringify(run.lines[0] ?? run.died ?? 'nothing')}, ` +
          `expected ${good.label}`,
      );
    this.steadyMb = run.peakMb;
  }

  peakMb(): number {
    return this.peak;
  }

  async run(fuzzCase: FuzzCase, good: GoodFrame): Promise<CaseOutcome> {
    const started = performance.now();
    const input = fuzzCase.input;
    if (input.type !== 'file') throw new Error(`the cli surface does not take ${input.type} cases`);
    const bad = path.join(input.dir, input.name);
    const run = await this.classify([bad, this.goodFile(good)]);
    this.peak = Math.max(this.peak, run.peakMb);
    const [first, second] = run.lines;
    let outcome: CaseOutcome;
    if (run.died || run.uncaught.length > 0)
      outcome = {
        result: 'crash',
        message: run.died ?? 'died of an uncaught error',
        memoryKill: run.memoryKill,
        ms: 0,
      };
    else if (run.timedOut)
      outcome = {
        result: 'hang',
        message: `mobilenet classify did not finish within its bound (${run.lines.length} of 2 files printed)`,
        ms: 0,
      };
    else if (!first) outcome = { result: 'error', message: 'nothing printed for the file', ms: 0 };
    else
      outcome =
        first.error !== undefined
          ? { result: 'error', message: first.error, ms: 0 }
          : { result: 'ok', label: first.predictions?.[0]?.label, ms: 0 };
    if (second?.predictions) outcome.goodLabel = second.predictions[0]?.label;
    else outcome.goodError = second?.error ?? 'the good file after it was not classified';
    outcome.uncaught = run.uncaught;
    outcome.ms = performance.now() - started;
    return outcome;
  }

  async stop(): Promise<void> {
    // one process per case: nothing left running
  }
}
