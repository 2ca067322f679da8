import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR, imagePath, readImage } from '../../fixtures';
import { pngTextBomb } from '../../image/metadata-bombs';

const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

/** Runs the CLI, killing it after `timeoutMs`: a hang is reported as `hung`, not waited on. */
function cli(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string; hung: boolean }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number; killed?: boolean }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr, hung: e?.killed === true });
    });
  });
}

/** A JPEG whose frame header claims 0×0 pixels. */
function zeroSizeJpeg(): Buffer {
  const bytes = Buffer.from(readImage('owl.jpg'));
  for (let i = 2; i < bytes.length; i += 2 + bytes.readUInt16BE(i + 2)) {
    if (bytes[i + 1] >= 0xc0 && bytes[i + 1] <= 0xc2) {
      bytes.writeUInt32BE(0, i + 5); // height and width
      return bytes;
    }
  }
  throw new Error('owl.jpg has no SOF0..2 segment');
}

describe('cli mobilenet classify: hostile files and bad flags', function () {
  this.timeout(180_000);
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-cli-hostile-'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.jpg')]);
    fs.closeSync(fs.openSync(path.join(dir, 'huge.jpg'), 'w'));
    fs.truncateSync(path.join(dir, 'huge.jpg'), 1.5 * 1024 ** 3); // sparse: no disk used
    fs.mkdirSync(path.join(dir, 'folder.jpg'));
    fs.writeFileSync(path.join(dir, 'bomb.png'), pngTextBomb(8, 8));
    fs.writeFileSync(path.join(dir, 'zero.jpg'), zeroSizeJpeg());
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'a fifo, /dev/zero, a 1.5 GB file, a directory, a metadata bomb and a 0×0 JPEG: an error line each, no hang; ' +
      'the photo after them is classified',
    async function () {
      const files = ['pipe.jpg', '/dev/zero', 'huge.jpg', 'folder.jpg', 'bomb.png', 'zero.jpg'].map((f) =>
        f.startsWith('/') ? f : path.join(dir, f),
      );
      const { code, stdout, stderr, hung } = await cli([
        'classify',
        '--model',
        V1_025_LAYERS_DIR,
        '--json',
        ...files,
        imagePath('coffee.png'),
      ]);
      assert.equal(hung, false, 'the CLI hung');
      assert.equal(code, 1, stderr);
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { file: string; error?: string; predictions?: Array<{ label: string }> });
      const errors = lines.slice(0, 6).map((l) => l.error ?? '(classified)');
      assert.match(errors[0], /pipe\.jpg" is a named pipe \(FIFO\), not a regular file/);
      assert.match(errors[1], /"\/dev\/zero" is a character device, not a regular file/);
      assert.match(
        errors[2],
        /huge\.jpg" is 1536\.0 MiB .* over the limit of 32\.0 MiB .*\(maxFileBytes\); it was not read/,
      );
      assert.match(errors[3], /folder\.jpg" is a directory, not a regular file/);
      assert.match(errors[4], /PNG image refused before decoding: its metadata .* inflates to more than 16\.0 MiB/);
      assert.match(errors[5], /JPEG header declares a width or height of 0/);
      assert.doesNotMatch(errors[5], /THIS/);
      assert.equal(lines[6].predictions?.[0].label, 'espresso');
    },
  );

  it('--max-file-bytes lowers the bound', async function () {
    const { code, stdout } = await cli([
      'classify',
      '--model',
      V1_025_LAYERS_DIR,
      '--json',
      '--max-file-bytes',
      '1000',
      imagePath('coffee.png'),
    ]);
    assert.equal(code, 1);
    assert.match(stdout, /over the limit of 1000 bytes \(maxFileBytes\)/);
  });

  const badFlags: Array<[string[], RegExp]> = [
    [['--top', '0'], /--top must be a whole number ≥ 1, got "0"/],
    [['--top', 'five'], /--top must be a whole number ≥ 1, got "five"/],
    [['--threshold', '2'], /--threshold must be a number from 0 to 1, got "2"/],
    [['--threshold', ''], /--threshold must be a number from 0 to 1, got ""/],
    [['--fit', 'stretch'], /--fit must be one of cover, fill, contain, got "stretch"/],
    [['--backend', 'gpu'], /--backend must be one of auto, wasm, tfjs-node, cpu, got "gpu"/],
    [['--workers', '0'], /--workers must be a whole number from 1 to 16, got "0"/],
    [['--workers', '17'], /--workers must be a whole number from 1 to 16, got "17"/],
    [['--workers', ''], /--workers must be a whole number from 1 to 16, got ""/],
    [['--max-file-bytes', '1e99x'], /--max-file-bytes must be a whole number of bytes ≥ 1, got "1e99x"/],
  ];
  for (const [flags, message] of badFlags) {
    it(`${flags.join(' ') || '(empty)'}: exit 2 naming the flag and what it takes, no model load`, async function () {
      const { code, stderr } = await cli(
        ['classify', '--model', 'no_such_model', ...flags, imagePath('coffee.png')],
        20_000,
      );
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    });
  }
});
