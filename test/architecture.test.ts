import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The house rules on imports between rooms (which folder may import which) live beside the repo in
 * ../shared/tools, shared by every checkout; this runs them on this checkout so a broken rule fails the suite.
 * Rooms this repository added since (test/import-rules.added.json) are held too: the shared checker runs once with
 * the shared rules as they are, and once from a temporary copy whose rules file is the shared one plus the added
 * rules, so they hold whether or not the shared file carries them yet.
 */

const ROOT = path.join(__dirname, '..', '..');
const TOOLS = path.join(ROOT, '..', 'shared', 'tools');
const CHECK_IMPORTS = path.join(TOOLS, 'check-imports');
const RULES = path.join(TOOLS, 'import-rules.json');
const ADDED_RULES = path.join(ROOT, 'test', 'import-rules.added.json');

type Rule = [from: string, to: string, why: string];
interface Rules {
  rooms: string[];
  never: Rule[];
  [other: string]: unknown;
}

const readRules = (file: string): Rules => JSON.parse(fs.readFileSync(file, 'utf8')) as Rules;

/** The shared rules with the added rooms and rules that they do not hold yet. */
function mergedRules(): Rules {
  const shared = readRules(RULES);
  const added = readRules(ADDED_RULES);
  const sameRule = (a: Rule, b: Rule): boolean => a[0] === b[0] && a[1] === b[1];
  return {
    ...shared,
    rooms: [...shared.rooms, ...added.rooms.filter((room) => !shared.rooms.includes(room))],
    never: [...shared.never, ...added.never.filter((rule) => !shared.never.some((held) => sameRule(held, rule)))],
  };
}

function runCheckImports(checker: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [checker, ROOT], { encoding: 'utf8' });
  assert.equal(run.error, undefined, `check-imports did not run: ${String(run.error)}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('architecture: imports run one way between rooms', function () {
  let scratch: string | undefined;

  before(function () {
    if (!fs.existsSync(CHECK_IMPORTS) || !fs.existsSync(RULES)) {
      console.warn(`    skipped: ${TOOLS} (check-imports and import-rules.json) is not beside this checkout`);
      this.skip();
    }
  });

  after(function () {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('check-imports finds no import that breaks a shared rule', function () {
    const run = runCheckImports(CHECK_IMPORTS);
    assert.equal(run.status, 0, `check-imports failed:\n${run.output}`);
    assert.match(run.output, /imports hold the house rules \(\d+ files\)/);
  });

  it('nor one that breaks a rule for the rooms this repository added', function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'import-rules-'));
    const checker = path.join(scratch, 'check-imports');
    fs.copyFileSync(CHECK_IMPORTS, checker);
    fs.writeFileSync(path.join(scratch, 'import-rules.json'), JSON.stringify(mergedRules(), null, 2));
    const run = runCheckImports(checker);
    assert.equal(run.status, 0, `check-imports with ${ADDED_RULES} failed:\n${run.output}`);
    assert.match(run.output, /imports hold the house rules \(\d+ files\)/);
  });

  it('every room under src/ is named in the rules, so a new room cannot slip past them', function () {
    const { rooms: named } = mergedRules();
    const rooms = fs
      .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `src/${entry.name}`);
    assert.ok(rooms.length > 0, 'src/ has rooms');
    assert.deepEqual(
      rooms.filter((room) => !named.includes(room)),
      [],
      `rooms missing from ${RULES} and ${ADDED_RULES}`,
    );
  });
});
