import * as path from 'node:path';
import type { Context, Suite } from 'mocha';
import { describeHandles, type HandleCounts, handleBaseline, leakedHandles } from './handles';
import { runTeardowns } from './teardown';

/**
 * Root hooks, loaded by .mocharc.json for every run. Each test file's handles are checked once the
 * file's own `after` hooks have run, so a leak names the file that made it instead of hanging the
 * run at the end; and the run exits by itself, as a Node.js program does when nothing is left open.
 */

// A socket closes when the peer's FIN arrives and a child once it is reaped: give them a moment.
const SETTLE_MS = 3000;
// After the last file, whatever still holds the event loop is reported and the run ends failed.
const EXIT_GRACE_MS = 10_000;

let baseline: HandleCounts = new Map();

async function checkFileLeaks(file: string): Promise<void> {
  const leaks = await leakedHandles(baseline, { settleMs: SETTLE_MS });
  // Counted once: the files after this one are measured from here.
  baseline = await handleBaseline();
  if (leaks.length > 0)
    throw new Error(`${file} left handles open: ${leaks.join(', ')}\nopen now: ${describeHandles().join('; ')}`);
}

function fileOf(suite: Suite): string {
  return suite.file ? path.relative(process.cwd(), suite.file) : suite.title;
}

function reportIfStillRunning(): void {
  // unref'd: it fires only when something else keeps the process alive after the last test.
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
    const what = describeHandles().join('\n');
    process.stderr.write(
      `\nThe tests finished but the process did not exit; still open: ${open.join(', ')}\n${what}\n`,
    );
    process.exit(1);
  }, EXIT_GRACE_MS).unref();
}

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    baseline = await handleBaseline();
    const root = this.test?.parent;
    for (const suite of root?.suites ?? [])
      suite.afterAll(`${fileOf(suite)} leaves no handle open`, () => checkFileLeaks(fileOf(suite)));
  },
  afterEach: runTeardowns,
  afterAll(): void {
    reportIfStillRunning();
  },
};
