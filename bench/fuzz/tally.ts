import type { CaseOutcome, FuzzCase, Surface } from './types';

/** Counting what went wrong, per surface and in total, and keeping an example of each failure. */

/** Error texts that tell a user nothing about what they got wrong (JavaScript internals leaking out). */
const UNCLEAR = new RegExp(
  String.raw`is not a function|Cannot read propert|of undefined|of null|is not iterable|\[object Object\]|THIS` +
    String.raw` variant|Internal Server Error|^internal:`,
  'i',
);

export interface Counts {
  runs: number;
  crashes: number;
  uncaught: number;
  hangs: number;
  /** The good frame after a case was not classified right. */
  wrong: number;
  memoryKills: number;
  /** Bad input accepted, good input refused or misread, a wrong HTTP status, a leaked secret. */
  mishandled: number;
  /** Errors that do not say what was wrong. */
  unclear: number;
  polluted: number;
  /** Log lines npm start printed for the cases (HTTP). */
  logLines: number;
}

export interface Failure {
  surface: Surface;
  id: string;
  what: string;
  problems: string[];
  message?: string;
}

const zero = (): Counts => ({
  runs: 0,
  crashes: 0,
  uncaught: 0,
  hangs: 0,
  wrong: 0,
  memoryKills: 0,
  mishandled: 0,
  unclear: 0,
  polluted: 0,
  logLines: 0,
});

/** What is wrong with one outcome, as short phrases (empty: the case was handled right). */
export function problemsOf(
  fuzzCase: FuzzCase,
  outcome: CaseOutcome,
  goodLabel: string,
): { problems: string[]; mishandled: boolean; unclear: boolean } {
  const problems: string[] = [];
  if (outcome.result === 'crash') problems.push(outcome.memoryKill ? 'crash (memory bound)' : 'crash');
  if (outcome.uncaught?.length) problems.push(`uncaught: ${outcome.uncaught.join(' | ')}`);
  if (outcome.result === 'hang') problems.push('hang');
  if (outcome.goodLabel !== goodLabel && outcome.result !== 'crash')
    problems.push(`good frame after it: ${outcome.goodError ?? outcome.goodLabel} (expected ${goodLabel})`);
  const before = problems.length;
  if (fuzzCase.expect === 'error' && outcome.result === 'ok') problems.push('bad input accepted');
  if (fuzzCase.expect === 'ok' && outcome.result === 'error') problems.push('good input refused');
  if (fuzzCase.expect === 'ok' && outcome.result === 'ok' && fuzzCase.label && outcome.label !== fuzzCase.label)
    problems.push(`classified as ${outcome.label}, expected ${fuzzCase.label}`);
  if (outcome.status !== undefined && outcome.result === 'error') {
    if (fuzzCase.httpStatus !== undefined && outcome.status !== fuzzCase.httpStatus)
      problems.push(`HTTP ${outcome.status}, expected ${fuzzCase.httpStatus}`);
    else if (fuzzCase.httpStatus === undefined && !(outcome.status >= 400 && outcome.status < 500))
      problems.push(`HTTP ${outcome.status} for a caller's mistake`);
    if (outcome.status > 0 && !outcome.jsonError) problems.push('HTTP error without a JSON {"error"} body');
  }
  const secret = fuzzCase.input.type === 'mqtt' ? fuzzCase.input.secret : undefined;
  if (
    secret &&
    outcome.message &&
    (outcome.message.includes(secret) || outcome.message.includes(encodeURIComponent(secret)))
  )
    problems.push('the password shows in the status');
  const mishandled = problems.length > before;
  const unclear = outcome.result === 'error' && UNCLEAR.test(outcome.message ?? '');
  if (unclear) problems.push('unclear error text');
  if (outcome.polluted) problems.push('Object.prototype polluted');
  return { problems, mishandled, unclear };
}

export class Tally {
  readonly bySurface = new Map<Surface, Counts>();
  readonly failures: Failure[] = [];

  add(surface: Surface, fuzzCase: FuzzCase, outcome: CaseOutcome, goodLabel: string): string[] {
    const counts = this.bySurface.get(surface) ?? zero();
    this.bySurface.set(surface, counts);
    counts.runs++;
    if (outcome.result === 'crash') counts.crashes++;
    if (outcome.memoryKill) counts.memoryKills++;
    if (outcome.uncaught?.length) counts.uncaught += outcome.uncaught.length;
    if (outcome.result === 'hang') counts.hangs++;
    if (outcome.goodLabel !== goodLabel && outcome.result !== 'crash') counts.wrong++;
    counts.logLines += outcome.logLines ?? 0;
    const { problems, mishandled, unclear } = problemsOf(fuzzCase, outcome, goodLabel);
    if (mishandled) counts.mishandled++;
    if (unclear) counts.unclear++;
    if (outcome.polluted) counts.polluted++;
    if (problems.length > 0)
      this.failures.push({
        surface,
        id: fuzzCase.id,
        what: fuzzCase.what,
        problems,
        message: outcome.message?.slice(0, 240),
      });
    return problems;
  }

  total(): Counts {
    const sum = zero();
    for (const counts of this.bySurface.values())
      for (const key of Object.keys(sum) as Array<keyof Counts>) sum[key] += counts[key];
    return sum;
  }
}
