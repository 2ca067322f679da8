import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describeArchitecture } from '../../../src/zoo/cost';
import { V1_025_LAYERS_DIR, V2_QUANT_TFLITE, imagePath } from '../../fixtures';

const run = promisify(execFile);
const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

interface Line {
  file: string;
  predictions?: Array<{ label: string; score: number; index: number }>;
  timings?: Record<string, number>;
  error?: string;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** images/SOURCES.md: what the independent pipeline (whole-image resize) got with the float V1 0.25. */
const EXPECTED: Record<string, string[]> = {
  'parrot.jpg': ['macaw'],
  'coffee.png': ['espresso'],
  'hot_dog.jpg': ['hotdog'],
  'dragonfly.png': ['dragonfly'],
  'cat_720p.jpg': ['Egyptian cat', 'tabby', 'tiger cat'],
  'chelsea.png': ['Egyptian cat', 'tabby', 'tiger cat'],
};

function checkLines(stdout: string, files: string[]): Line[] {
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  assert.deepEqual(
    lines.map((l) => path.basename(l.file)),
    files,
  );
  for (const line of lines) {
    const expected = EXPECTED[path.basename(line.file)];
    if (!expected) continue;
    assert.ok(line.predictions && line.predictions.length === 3, JSON.stringify(line));
    assert.ok(expected.includes(line.predictions[0].label.split(',')[0]), `${line.file}: ${line.predictions[0].label}`);
    assert.ok(typeof line.timings?.inferenceMs === 'number' && typeof line.timings.preprocessMs === 'number');
  }
  return lines;
}

describe('cli mobilenet classify', function () {
  this.timeout(180_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-cli-'));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const photos = Object.keys(EXPECTED);

  it(
    '--json: one object per image with the SOURCES.md labels; a bad image gets an error line and exit 1, the rest ' +
      'are still classified',
    async () => {
      const files = [...photos.slice(0, 3), 'dragonfly.bmp', ...photos.slice(3)];
      const { code, stdout } = await cli(
        'classify',
        '--model',
        V1_025_LAYERS_DIR,
        '--top',
        '3',
        '--fit',
        'fill',
        '--json',
        ...files.map(imagePath),
      );
      assert.equal(code, 1);
      const lines = checkLines(stdout, files);
      const bmp = lines.find((l) => l.file.endsWith('dragonfly.bmp'));
      assert.match(bmp?.error ?? '', /BMP images are not supported/);
    },
  );

  it('--workers 2: every image answered, printed in the order named', async () => {
    const files = [...photos, ...photos];
    const { code, stdout, stderr } = await cli(
      'classify',
      '--model',
      V1_025_LAYERS_DIR,
      '--top',
      '3',
      '--fit',
      'fill',
      '--json',
      '--workers',
      '2',
      ...files.map(imagePath),
    );
    assert.equal(code, 0, stderr);
    checkLines(stdout, files);
  });

  it('the same labels after quantize --dtype uint8 (3.5× smaller weights)', async () => {
    const out = path.join(work, 'uint8');
    const quantized = await cli('quantize', '--dtype', 'uint8', '--json', V1_025_LAYERS_DIR, out);
    assert.equal(quantized.code, 0, quantized.stderr);
    const report = JSON.parse(quantized.stdout) as { ratio: number };
    assert.ok(report.ratio >= 3.5, `only ${report.ratio}× smaller`);
    const { code, stdout } = await cli(
      'classify',
      '--model',
      out,
      '--top',
      '3',
      '--fit',
      'fill',
      '--json',
      ...photos.map(imagePath),
    );
    assert.equal(code, 0);
    checkLines(stdout, photos);
  });

  it('a .tflite model works where a model is named, with readable text output', async () => {
    const { code, stdout } = await cli(
      'classify',
      '--model',
      V2_QUANT_TFLITE,
      '--top',
      '2',
      '--fit',
      'fill',
      imagePath('parrot.jpg'),
    );
    assert.equal(code, 0);
    assert.match(stdout, /^parrot\.jpg: macaw \d+\.\d%, .+ \[\d+\.\d ms\]$/m);
  });

  it('info prints format, input, labels, size, quantisation and cost', async () => {
    const { code, stdout } = await cli('info', V1_025_LAYERS_DIR, '--json');
    assert.equal(code, 0);
    const info = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(info.format, 'layers');
    assert.deepEqual(info.inputSize, { width: 224, height: 224 });
    assert.equal(info.labels, 1000);
    assert.equal(info.quantization, '137 float32');
    const cost = describeArchitecture({ arch: 'v1', alpha: 0.25, resolution: 224, classes: 1000 });
    assert.deepEqual(info.architecture, { arch: 'v1', alpha: 0.25, resolution: 224, macs: cost.macs, params: 475_544 });
    assert.ok(Math.abs(cost.macs / 1e6 - 41) < 0.5, 'the slim table says 41 M');
  });

  it('refuses a missing image list and an unknown command with usage and exit 2', async () => {
    assert.equal((await cli('classify')).code, 2);
    const unknown = await cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Valid commands are: .*classify/);
  });
});
