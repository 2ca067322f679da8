import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describeArchitecture } from '../../../src/zoo/cost';

const run = promisify(execFile);
const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

async function inspect(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, 'inspect', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cli/commands/inspect', () => {
  it("--json prints exactly describeArchitecture's object, on one line", async () => {
    const { code, stdout } = await inspect(
      '--arch',
      'v2',
      '--alpha',
      '0.35',
      '--resolution',
      '160',
      '--classes',
      '10',
      '--json',
    );
    assert.equal(code, 0);
    assert.equal(stdout.trim().split('\n').length, 1);
    assert.deepEqual(
      JSON.parse(stdout),
      describeArchitecture({ arch: 'v2', alpha: 0.35, resolution: 160, classes: 10 }),
    );
  });

  it('defaults to V1 1.0 at 224: a per-layer table with totals and the Table 2 breakdown', async () => {
    const { code, stdout } = await inspect();
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.ok(lines[0].startsWith('MobileNet V1  α=1  224×224'));
    assert.ok(
      lines.some((l) => /^conv1 +Conv \/ s2 +3×3×3×32 +224×224×3 +10\.84 M +992$/.test(l)),
      'first conv row',
    );
    assert.ok(
      lines.some((l) => /^conv_dw_2 +Conv dw \/ s2 +3×3×64 dw +112×112×64/.test(l)),
      'strided depthwise row',
    );
    assert.ok(stdout.includes('Total: 568.74 M multiply-adds, 4,253,864 parameters'));
    assert.ok(lines.some((l) => /^Conv 1×1 +94\.86% +74\.57%$/.test(l)));
  });

  it('rejects invalid values with exit status 2 and a message naming the valid range', async () => {
    const tooWide = await inspect('--alpha', '2');
    assert.equal(tooWide.code, 2);
    assert.match(tooWide.stderr, /alpha must be a number in \(0, 1\.4\], got 2/);
    const notNumber = await inspect('--resolution', 'big');
    assert.equal(notNumber.code, 2);
    assert.match(notNumber.stderr, /--resolution must be a number, got "big"/);
    const unknownArch = await inspect('--arch', 'v3');
    assert.equal(unknownArch.code, 2);
    assert.match(unknownArch.stderr, /valid values are v1, v2/);
    const unknownOption = await inspect('--depth', '3');
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /Unknown option '--depth'/);
  });
});
