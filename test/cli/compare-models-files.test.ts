import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareModels } from '../../src/cli/compare-models';
import { V1_025_LAYERS_DIR } from '../fixtures';

describe('compareModels (quantize --check): image files read bounded', function () {
  this.timeout(120_000);

  it('a named pipe among the images is refused at once, not waited on', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-models-'));
    const fifo = path.join(dir, 'check.jpg');
    execFileSync('mkfifo', [fifo]);
    let timer: NodeJS.Timeout | undefined;
    try {
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('compareModels hangs on a fifo')), 60_000);
      });
      const outcome = await Promise.race([
        compareModels(V1_025_LAYERS_DIR, V1_025_LAYERS_DIR, [fifo]).then(
          () => undefined,
          (e: unknown) => e,
        ),
        hang,
      ]);
      assert.ok(outcome instanceof Error);
      assert.match(outcome.message, /check\.jpg" is a named pipe \(FIFO\), not a regular file/);
    } finally {
      clearTimeout(timer);
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)); // frees a reader stuck on it
      } catch {
        // nobody waiting
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
