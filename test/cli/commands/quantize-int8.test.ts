import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { V1_025_LAYERS_DIR, V2_QUANT_TFLITE, imagePath } from '../../fixtures';

const run = promisify(execFile);
const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cli mobilenet quantize --int8', function () {
  this.timeout(180_000);
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantize-int8-'));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes an int8 .tflite of the V1 0.25 layers model and checks it against float on two photos', async function () {
    const out = path.join(dir, 'v1.int8.tflite');
    const photos = [imagePath('parrot.jpg'), imagePath('coffee.png')];
    const result = await cli('quantize', '--int8', '--model', V1_025_LAYERS_DIR, '--out', out, '--json', ...photos);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      out: string;
      calibration: string;
      checks: Array<{ floatTop1: string; quantizedTop1: string; maxDelta: number }>;
    };
    assert.equal(report.out, out);
    assert.equal(report.calibration, '24 generated images');
    assert.equal(report.checks.length, 2);
    for (const check of report.checks) {
      assert.equal(check.quantizedTop1, check.floatTop1);
      assert.ok(check.maxDelta < 0.1, JSON.stringify(check));
    }
    assert.deepEqual(
      report.checks.map((c) => c.floatTop1.split(',')[0]),
      ['macaw', 'espresso'],
    );
    const imported = importTflite(fs.readFileSync(out));
    assert.equal(imported.inputDtype, 'uint8');
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
      'no temporary file left',
    );
  });

  it('refuses a model that is already quantised, and --calibrate without --int8', async function () {
    const quantized = await cli('quantize', '--int8', '--model', V2_QUANT_TFLITE, '--out', path.join(dir, 'x.tflite'));
    assert.equal(quantized.code, 2);
    assert.match(quantized.stderr, /already quantised/);
    const misplaced = await cli('quantize', '--calibrate', dir, V1_025_LAYERS_DIR, path.join(dir, 'y'));
    assert.equal(misplaced.code, 2);
    assert.match(misplaced.stderr, /go with --int8/);
  });
});
