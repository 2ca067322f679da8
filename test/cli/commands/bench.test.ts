import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR } from '../../fixtures';

const MAIN = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');

function cli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: timeoutMs, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const e = error as (Error & { code?: number }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
    });
  });
}

// End to end, not timings: the figures of a --quick run on a shared machine mean nothing.
describe('cli mobilenet bench --quick', function () {
  this.timeout(300_000);
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a Markdown table, a JSON report and an SVG chart; prints the summary as the last line', async function () {
    const out = path.join(dir, 'out');
    const { code, stdout, stderr } = await cli(
      // One engine keeps the run short; the engine list is the same code path for every engine.
      ['bench', '--quick', '--engine', 'tfjs', '--model', V1_025_LAYERS_DIR, '--out', out, '--json'],
      280_000,
    );
    assert.equal(code, 0, stderr);
    const last = stdout.trim().split('\n').pop() ?? '';
    const summary = JSON.parse(last) as Record<string, unknown>;
    for (const key of ['latencyRatioVsPeer', 'throughputSpeedup2Workers', 'eventLoopP99Ms', 'rssMb', 'coldStartMs']) {
      assert.ok(key in summary, `summary has ${key}`);
    }
    assert.equal(typeof summary.engine, 'string');
    assert.ok((summary.coldStartMs as number) > 0);
    assert.ok((summary.rssMb as number) > 0);
    // No peer in the product's own bench: the ratio is absent, not made up.
    assert.equal(summary.latencyRatioVsPeer, null);

    const report = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')) as {
      models: Array<{ outcome: { result?: { totalMs: { median: number } } } }>;
      grid: Array<{ name: string; precision: string; top1?: number; outcome: { result?: unknown; error?: string } }>;
      summary: unknown;
    };
    assert.deepEqual(report.summary, summary);
    assert.ok(report.models[0].outcome.result, 'the model was measured');
    const floats = report.grid.filter((row) => row.precision === 'float');
    assert.ok(report.grid.every((row) => (row as { engine?: string }).engine === 'tfjs'));
    assert.deepEqual(
      floats.map((row) => row.name),
      ['v1 0.25/128', 'v2 0.35/96'],
    );
    assert.ok(
      floats.every((row) => row.outcome.result && row.top1 !== undefined),
      'every float grid point was timed with the builder and has its published top-1',
    );

    const markdown = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
    assert.match(markdown, /\| v1 0\.25\/128 \| 41\.5 \| 39\.9 \|/);
    const svg = fs.readFileSync(path.join(out, 'bench.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.match(svg, /Pareto front/);
    assert.equal(
      (svg.match(/<title>/g) ?? []).length,
      floats.length + report.grid.filter((r) => r.precision === 'int8' && r.outcome.result).length,
    );
  });
});
