import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The house rules on imports between rooms (which folder may import which) live beside the repo in
 * ../shared/tools, shared by every checkout; this runs them on this checkout so a broken rule fails the suite.
 */

const ROOT = path.join(__dirname, '..', '..');
const TOOLS = path.join(ROOT, '..', 'shared', 'tools');
const CHECK_IMPORTS = path.join(TOOLS, 'check-imports');
const RULES = path.join(TOOLS, 'import-rules.json');

describe('architecture: imports run one way between rooms', function () {
  before(function () {
    if (!fs.existsSync(CHECK_IMPORTS) || !fs.existsSync(RULES)) {
      console.warn(`    skipped: ${TOOLS} (check-imports and import-rules.json) is not beside this checkout`);
      this.skip();
    }
  });

  it('check-imports finds no import that breaks a rule', function () {
    const run = spawnSync(process.execPath, [CHECK_IMPORTS, ROOT], { encoding: 'utf8' });
    assert.equal(run.error, undefined, `check-imports did not run: ${String(run.error)}`);
    assert.equal(run.status, 0, `check-imports failed:\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /imports hold the house rules \(\d+ files\)/);
  });

  it('every room under src/ is named in the rules, so a new room cannot slip past them', function () {
    const rules = JSON.parse(fs.readFileSync(RULES, 'utf8')) as { rooms: string[] };
    const rooms = fs
      .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `src/${entry.name}`);
    assert.ok(rooms.length > 0, 'src/ has rooms');
    assert.deepEqual(
      rooms.filter((room) => !rules.rooms.includes(room)),
      [],
      `rooms missing from ${RULES}`,
    );
  });
});
