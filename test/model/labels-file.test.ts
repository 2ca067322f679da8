import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelLoadError } from '../../src/model/errors';
import { readLabelsFile } from '../../src/model/labels';

describe('readLabelsFile: regular files only, bounded', function () {
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'labels-file-'));
    execFileSync('mkfifo', [path.join(dir, 'labels.txt')]);
  });

  after(function () {
    // A reader stuck on the fifo (the bug) gets EOF and lets the process exit.
    try {
      fs.closeSync(fs.openSync(path.join(dir, 'labels.txt'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      // nobody waiting
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => string, RegExp]> = [
    [
      'a named pipe (it hung the model load)',
      () => path.join(dir, 'labels.txt'),
      new RegExp(
        String.raw`labels\.txt" is a named pipe \(FIFO\), not a regular file.*Accepted: a regular text file with` +
          String.raw` one label per line`,
      ),
    ],
    ['/dev/zero', () => '/dev/zero', /"\/dev\/zero" is a character device, not a regular file/],
    [
      'a sparse 1 GB file',
      () => {
        const big = path.join(dir, 'big.txt');
        fs.closeSync(fs.openSync(big, 'w'));
        fs.truncateSync(big, 1024 ** 3);
        return big;
      },
      /labels file ".*big\.txt" is 1024\.0 MiB .* over the limit of 8\.0 MiB/,
    ],
  ];
  for (const [what, file, message] of cases) {
    it(`${what}: a ModelLoadError at once`, async function () {
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('readLabelsFile hangs')), 5000);
      });
      const error = await Promise.race([
        readLabelsFile(file()).then(
          () => undefined,
          (e: unknown) => e,
        ),
        hang,
      ]).finally(() => clearTimeout(timer));
      assert.ok(error instanceof ModelLoadError, String(error));
      assert.match(error.message, message);
    });
  }
});
