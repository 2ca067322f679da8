import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { FIXTURES, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR } from '../../fixtures';

const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

function cli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
    });
  });
}

interface Row {
  name: string;
  precision: string;
  engine: string;
  latencyMs: number;
  accuracy: number;
  accuracySource: string;
  busy: number;
  fits: boolean;
}

// What is checked is the decision and its table, not the timings: a generous budget, so both fit.
describe('cli mobilenet tune', function () {
  this.timeout(300_000);

  it('ranks the models with weights here by few-shot accuracy on a folder of labelled frames', async function () {
    const frames = path.join(FIXTURES, 'images', 'fewshot', 'fork_scissors');
    const { code, stdout, stderr } = await cli(
      [
        'tune',
        '--budget-ms',
        '60000',
        '--frames',
        frames,
        '--model',
        V1_025_LAYERS_DIR,
        '--model',
        V1_025_128_QUANT_TFLITE,
        '--quick',
        '--json',
      ],
      280_000,
    );
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { rows: Row[]; chosen: Row; basis: string };
    assert.match(result.basis, /41 frames of .*fork_scissors/);
    // One row per model and engine (every engine this build accepts is timed).
    assert.deepEqual([...new Set(result.rows.map((row) => row.name))].sort(), [
      'mobilenet_v1_0.25_128_quant.tflite',
      'mobilenet_v1_0.25_224_tfjs_layers',
    ]);
    for (const row of result.rows) {
      assert.equal(row.accuracySource, 'your frames');
      // Two classes: a model that had learnt nothing would sit near 50%.
      assert.ok(row.accuracy > 60 && row.accuracy <= 100, `${row.name}: ${row.accuracy}%`);
    }
    const best = Math.max(...result.rows.map((row) => row.accuracy));
    assert.equal(result.chosen.accuracy, best);
  });

  it('without frames, weighs the grid by published top-1 and refuses a budget nothing meets', async function () {
    const fits = await cli(['tune', '--budget-ms', '60000', '--quick', '--json'], 280_000);
    assert.equal(fits.code, 0, fits.stderr);
    const result = JSON.parse(fits.stdout.trim().split('\n').pop() ?? '') as { rows: Row[]; chosen: Row };
    // Quick grid: V1 0.25/128 (41.5 float, 39.9 int8) and V2 0.35/96 (45.5), most accurate first; all fit a minute.
    assert.deepEqual(
      result.rows
        .filter((row) => row.precision === 'float' && row.engine === 'tfjs')
        .map((row) => [row.name, row.accuracy]),
      [
        ['v2 0.35/96', 45.5],
        ['v1 0.25/128', 41.5],
      ],
    );
    assert.deepEqual(
      result.rows.map((row) => row.accuracy),
      result.rows.map((row) => row.accuracy).sort((a, b) => b - a),
    );
    assert.equal(result.chosen.name, 'v2 0.35/96');

    const none = await cli(['tune', '--budget-ms', '0.01', '--quick'], 280_000);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No model fits this budget here/);
    assert.match(none.stdout, /\| v1 0\.25\/128 \| tfjs \| float \|/);
  });

  it('asks for a budget', async function () {
    const { code, stderr } = await cli(['tune'], 30_000);
    assert.equal(code, 2);
    assert.match(stderr, /--budget-ms/);
  });
});
