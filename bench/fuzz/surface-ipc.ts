import * as path from 'node:path';
import type { FromChild, GoodFrame, InitMessage } from './protocol';
import { caseBound, WARM_UP_FRAMES, type Bounds, type SurfaceRunner } from './surface';
import { forkChild, request, type Watched } from './supervisor';
import type { CaseOutcome, FuzzCase, Surface } from './types';
import { sleep, within } from './within';

/** The library and the Node-RED surfaces: a child process served over IPC, restarted when it dies or hangs. */
export class IpcSurface implements SurfaceRunner {
  steadyMb = 0;
  private child?: Watched;
  private peakOfEarlierLives = 0;
  restarts = 0;

  constructor(
    readonly name: Surface,
    private readonly script: string,
    private readonly init: Omit<InitMessage, 'op' | 'boundMs'>,
    private readonly goodFrames: GoodFrame[],
    private readonly bounds: Bounds,
  ) {}

  private async launch(): Promise<Watched> {
    const child = forkChild(path.join(__dirname, this.script), this.bounds.maxOldSpaceMb, {
      name: this.name,
      maxRssMb: this.bounds.maxRssMb,
    });
    const reply = await request(
      child,
      { op: 'init', ...this.init, boundMs: this.bounds.startMs },
      (m) => {
        const message = m as FromChild;
        return message.op === 'ready' || message.op === 'initFailed' ? message : undefined;
      },
      this.bounds.startMs + 5000,
    );
    if (reply === 'died' || reply === 'timeout' || reply.op === 'initFailed') {
      await child.kill();
      throw new Error(
        `${this.name} surface did not start: ` +
          `${typeof reply === 'string' ? reply : reply.op === 'initFailed' ? reply.error : ''} ` +
          `${child.exitDescription}`,
      );
    }
    this.child = child;
    return child;
  }

  async start(): Promise<void> {
    const child = await this.launch();
    for (let i = 0; i < WARM_UP_FRAMES; i++) {
      const good = this.goodFrames[i % this.goodFrames.length];
      const reply = await request(
        child,
        { op: 'good', good, boundMs: this.bounds.startMs },
        (m) => ((m as FromChild).op === 'good' ? (m as Extract<FromChild, { op: 'good' }>) : undefined),
        this.bounds.startMs,
      );
      // Without a right answer before any bad input, nothing after it would mean anything.
      if (typeof reply === 'string' || reply.label !== good.label)
        throw new Error(
          `${this.name} surface: a good frame before any case gave ` +
            `${typeof reply === 'string' ? reply : (reply.error ?? reply.label)}, expected ${good.label}`,
        );
    }
    this.steadyMb = child.rssMb();
    child.resetPeak();
  }

  peakMb(): number {
    return Math.max(this.peakOfEarlierLives, this.child?.peakMb ?? 0);
  }

  private async restart(): Promise<void> {
    const old = this.child;
    if (old) {
      await old.kill();
      this.peakOfEarlierLives = Math.max(this.peakOfEarlierLives, old.peakMb);
    }
    this.restarts++;
    const child = await this.launch();
    child.resetPeak();
  }

  async run(fuzzCase: FuzzCase, good: GoodFrame): Promise<CaseOutcome> {
    const started = performance.now();
    let child: Watched;
    try {
      child = this.child ?? (await this.launch());
    } catch (error) {
      return {
        result: 'crash',
        message: `could not restart: ${(error as Error).message}`,
        ms: performance.now() - started,
      };
    }
    const boundMs = caseBound(fuzzCase, this.bounds);
    const reply = await request(
      child,
      { op: 'case', fuzzCase, good, boundMs },
      (m) => {
        const message = m as FromChild;
        return message.op === 'outcome' && message.id === fuzzCase.id ? message.outcome : undefined;
      },
      2 * boundMs + 10000,
    );
    let outcome: CaseOutcome;
    if (reply === 'died') {
      await sleep(100); // let its last stderr lines (an uncaught error) arrive
      outcome = { result: 'crash', message: child.exitDescription, memoryKill: child.memoryKilled, ms: 0 };
    } else if (reply === 'timeout') {
      outcome = { result: 'hang', message: 'the process stopped answering (event loop blocked?)', ms: 0 };
    } else {
      outcome = { ...reply, ms: 0 };
    }
    outcome.uncaught = child.takeUncaught();
    outcome.ms = performance.now() - started;
    // A hang may hold a thread of the pool (a read of a named pipe) or a stuck load: start clean.
    if (outcome.result === 'crash' || outcome.result === 'hang' || outcome.goodError !== undefined) {
      await this.restart().catch((error: Error) => {
        this.child = undefined;
        outcome.message = `${outcome.message ?? ''}; restart failed: ${error.message}`;
      });
    }
    return outcome;
  }

  async stop(): Promise<void> {
    if (this.child) {
      this.peakOfEarlierLives = Math.max(this.peakOfEarlierLives, this.child.peakMb);
      this.child.child.disconnect?.();
      await within(this.child.whenExited(), 2000);
      await this.child.kill();
    }
  }
}
