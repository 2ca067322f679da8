/**
 * Teardown registry: a test says how to undo what it set up at the moment it sets it up, and the
 * root `afterEach` (root-hooks.ts) undoes it, newest first, whether the test passed or not.
 */
interface Teardown {
  what: string;
  run: () => unknown;
}

const pending: Teardown[] = [];

/** Runs `run` after the current test (or hook), newest registration first. */
export function onTeardown(what: string, run: () => unknown): void {
  pending.push({ what, run });
}

/** Runs every registered teardown; all run even when one fails, and the failures are thrown together. */
export async function runTeardowns(): Promise<void> {
  const failures: Error[] = [];
  for (let next = pending.pop(); next; next = pending.pop()) {
    try {
      await next.run();
    } catch (error) {
      failures.push(
        new Error(`teardown "${next.what}" failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => f.message).join('; '));
}
