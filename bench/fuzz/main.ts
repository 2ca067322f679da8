/**
 * `npm run fuzz -- [--json] [--seed S] [--cases N] [--surfaces library,node,http,cli] [--kinds a,b]`
 * Sends generated bad input (and the edge cases that must work) through the library, a classify
 * node inside Node-RED, POST /classify of npm start and the CLI, checking after each case that a
 * good frame still classifies. Prints a summary; with --json the last line is one JSON object.
 * Exit status 1 when a target is missed (a crash, an uncaught error, a hang, a wrong good frame,
 * fewer than 40 kinds, or peak RSS above twice the steady state).
 */
import { parseArgs } from 'node:util';
import { runFuzz, type FuzzReport } from './run-fuzz';
import { SURFACES, type Surface } from './types';

const MIN_KINDS = 40;

function summary(report: FuzzReport): string {
  const lines = [
    `fuzz: seed ${report.seed}, ${report.casesPerKind} per kind: ${report.kinds} kinds, ${report.cases} cases, ` +
      `${report.runs} runs in ${report.durationS} s`,
    '',
    'surface   runs  crashes  uncaught  hangs  wrong  mishandled  unclear  memory-kills  steady MB  peak MB',
  ];
  for (const [name, s] of Object.entries(report.surfaces)) {
    lines.push(
      `${name.padEnd(8)} ${String(s.runs).padStart(5)} ${String(s.crashes).padStart(8)} ` +
        `${String(s.uncaught).padStart(9)} ${String(s.hangs).padStart(6)} ${String(s.wrong).padStart(6)} ` +
        `${String(s.mishandled).padStart(11)} ${String(s.unclear).padStart(8)} ${String(s.memoryKills).padStart(13)} ` +
        `${String(s.steadyRssMb).padStart(10)} ${String(s.peakRssMb).padStart(8)}`,
    );
  }
  lines.push(
    '',
    `total: crashes ${report.crashes}, uncaught ${report.uncaught}, hangs ${report.hangs}, wrong ${report.wrong}, ` +
      `mishandled ${report.mishandled}, unclear errors ${report.unclear}, prototype pollution ${report.polluted}`,
    `memory: peak ${report.peakRssMb} MB vs steady ${report.steadyRssMb} MB (${report.rssRatio}×, ` +
      `${report.rssSurface ?? '-'}; target ≤ 2×)`,
  );
  if (report.failures.length > 0) {
    lines.push('', 'failures by kind (surface: problems — message):');
    const byKind = new Map<string, string[]>();
    for (const f of report.failures) {
      const kind = f.id.split('#')[0];
      const list = byKind.get(kind) ?? [];
      list.push(
        `  ${f.surface} ${f.id} (${f.what}): ` +
          `${f.problems.join('; ')}${f.message ? ` — ${f.message.slice(0, 140)}` : ''}`,
      );
      byKind.set(kind, list);
    }
    for (const [kind, list] of byKind)
      lines.push(`${kind}:`, ...list.slice(0, 4), ...(list.length > 4 ? [`  … ${list.length - 4} more`] : []));
  }
  return lines.join('\n');
}

export function targetsMet(report: FuzzReport): boolean {
  return (
    report.crashes === 0 &&
    report.uncaught === 0 &&
    report.hangs === 0 &&
    report.wrong === 0 &&
    report.kinds >= MIN_KINDS &&
    report.rssRatio <= 2
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      cases: { type: 'string', default: '3' },
      surfaces: { type: 'string' },
      kinds: { type: 'string' },
      'case-ms': { type: 'string' },
      'max-rss-mb': { type: 'string' },
    },
  });
  const surfaces = values.surfaces?.split(',').map((s) => s.trim()) as Surface[] | undefined;
  for (const s of surfaces ?? [])
    if (!SURFACES.includes(s)) throw new Error(`--surfaces: "${s}" is not one of ${SURFACES.join(', ')}`);
  const seed = Number(values.seed);
  const cases = Number(values.cases);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (!Number.isInteger(cases) || cases < 1) throw new Error(`--cases must be a whole number ≥ 1, got ${values.cases}`);
  const report = await runFuzz({
    seed,
    casesPerKind: cases,
    surfaces,
    kinds: values.kinds?.split(',').map((k) => k.trim()),
    bounds: {
      ...(values['case-ms'] ? { caseMs: Number(values['case-ms']) } : {}),
      ...(values['max-rss-mb'] ? { maxRssMb: Number(values['max-rss-mb']) } : {}),
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(summary(report));
  if (values.json) console.log(JSON.stringify(report));
  process.exitCode = targetsMet(report) ? 0 : 1;
}

// Ctrl-C: leave through process.exit so the children and the temp dir are cleaned up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
