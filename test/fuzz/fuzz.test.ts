import assert from 'node:assert/strict';
import { runFuzz, type FuzzReport } from '../../bench/fuzz/run-fuzz';

/**
 * A short `npm run fuzz`: every kind of generated bad input (and the edge cases that must work),
 * two cases each, through the library, a classify node inside Node-RED, POST /classify of npm
 * start and the CLI. Each process runs under a memory and time bound, so a bomb or a hang is
 * counted here instead of taking the test run down. Memory figures are the script's to report.
 */
describe('fuzz: generated bad input through the library, Node-RED, POST /classify and the CLI', function () {
  this.timeout(900_000);
  let report: FuzzReport;

  const failures = (match: (problem: string) => boolean): string =>
    report.failures
      .filter((f) => f.problems.some(match))
      .map((f) => `${f.surface} ${f.id} (${f.what}): ${f.problems.join('; ')}${f.message ? ` — ${f.message}` : ''}`)
      .join('\n');

  before(async function () {
    report = await runFuzz({ seed: 20261201, casesPerKind: 2, bounds: { caseMs: 8000 } });
    console.log(
      `      ${report.kinds} kinds, ${report.cases} cases, ${report.runs} runs in ${report.durationS} s; peak RSS ` +
        `${report.peakRssMb} MB vs steady ${report.steadyRssMb} MB (${report.rssSurface})`,
    );
  });

  it('generates at least 40 kinds of input, and sends cases through every surface', () => {
    assert.ok(report.kinds >= 40, `only ${report.kinds} kinds`);
    for (const surface of ['library', 'node', 'http', 'cli'] as const)
      assert.ok((report.surfaces[surface]?.runs ?? 0) > 0, `no case reached the ${surface} surface`);
  });

  it('no process dies (memory bound included)', () => {
    assert.equal(
      report.crashes,
      0,
      failures((p) => p.startsWith('crash')),
    );
  });

  it('no uncaught exception or unhandled rejection', () => {
    assert.equal(
      report.uncaught,
      0,
      failures((p) => p.startsWith('uncaught')),
    );
  });

  it('every case is answered within its bound', () => {
    assert.equal(
      report.hangs,
      0,
      failures((p) => p === 'hang'),
    );
  });

  it('after every case, the next good frame classifies right', () => {
    assert.equal(
      report.wrong,
      0,
      failures((p) => p.startsWith('good frame after it')),
    );
  });
});
