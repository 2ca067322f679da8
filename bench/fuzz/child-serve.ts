import { prototypePolluted } from './materialize';
import type { FromChild, GoodFrame, InitMessage, ToChild } from './protocol';
import type { CaseOutcome, FuzzCase } from './types';
import { within } from './within';

/** What a surface's child process does: set itself up, run one case, classify the good frame. */
export interface ChildSurface {
  init(init: InitMessage): Promise<void>;
  runCase(
    fuzzCase: FuzzCase,
    good: GoodFrame,
    boundMs: number,
  ): Promise<Omit<CaseOutcome, 'ms' | 'goodLabel' | 'goodError'>>;
  /** The top label of a good frame (throws when it cannot classify). */
  classify(good: GoodFrame): Promise<string>;
}

function send(message: FromChild): void {
  process.send?.(message);
}

async function classifyGood(
  surface: ChildSurface,
  good: GoodFrame,
  boundMs: number,
): Promise<{ label?: string; error?: string }> {
  const result = await within(() => surface.classify(good), boundMs);
  if ('timeout' in result) return { error: `no answer within ${boundMs} ms` };
  return result.ok ? { label: result.value } : { error: result.error.message };
}

/** Serves the run's requests one at a time over IPC. */
export function serve(surface: ChildSurface): void {
  let queue = Promise.resolve();
  process.on('message', (message: ToChild) => {
    queue = queue.then(async () => {
      switch (message.op) {
        case 'init': {
          const done = await within(() => surface.init(message), message.boundMs);
          send(
            'timeout' in done
              ? { op: 'initFailed', error: 'init timed out' }
              : done.ok
                ? { op: 'ready' }
                : { op: 'initFailed', error: done.error.stack ?? done.error.message },
          );
          return;
        }
        case 'good':
          send({ op: 'good', ...(await classifyGood(surface, message.good, message.boundMs)) });
          return;
        case 'case': {
          let outcome: Omit<CaseOutcome, 'ms'>;
          try {
            outcome = await surface.runCase(message.fuzzCase, message.good, message.boundMs);
          } catch (error) {
            outcome = {
              result: 'error',
              message: `harness: ${error instanceof Error ? error.message : String(error)}`,
            };
          }
          if (prototypePolluted()) outcome.polluted = true;
          const good = await classifyGood(surface, message.good, message.boundMs);
          send({
            op: 'outcome',
            id: message.fuzzCase.id,
            outcome: { ...outcome, goodLabel: good.label, goodError: good.error },
          });
          return;
        }
      }
    });
  });
  // The run's end closes the IPC channel: leave without waiting for anything still stuck.
  process.on('disconnect', () => process.exit(0));
}
