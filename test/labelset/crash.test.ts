import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabelSet } from '../../src/labelset/label-set';
import { tempFolder } from './helpers';

const SIZE = 1280;
const MODEL = { fingerprint: 'crash-test', embeddingSize: SIZE };

/** Starts the teaching child; resolves the ids it reported as taught when it has been killed. */
function teachUntilKilled(folder: string, killAfterIds: number, extraDelayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [path.join(__dirname, 'teach-child.js'), folder, String(SIZE)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const ids: string[] = [];
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (/^[0-9a-f]{16}$/.test(line)) ids.push(line);
      if (!killing && ids.length >= killAfterIds) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`teaching child ended with ${code}: ${stderr}`));
      else resolve(ids);
    });
  });
}

describe('LabelSet crash safety', function () {
  this.timeout(120_000);

  it('a teaching process killed with SIGKILL mid-write loses nothing it had reported taught', async function () {
    const folder = tempFolder('crash');
    const taught = new Set<string>();
    // Kill points spread over the write cycle: right after an add resolved and a few ms into the next ones.
    for (const [after, delay] of [
      [5, 0],
      [20, 1],
      [10, 3],
      [30, 7],
      [15, 2],
      [25, 13],
    ]) {
      for (const id of await teachUntilKilled(folder, after, delay)) taught.add(id);
      const set = await LabelSet.open(folder, MODEL);
      const present = new Set(set.classes().flatMap((c) => c.examples.map((e) => e.id)));
      for (const id of taught) assert.ok(present.has(id), `example ${id}, reported taught, is missing after a kill`);
      // Every example the set names has its crop; leftover temp files of the dead writer are gone.
      for (const c of set.classes()) for (const e of c.examples) assert.ok(fs.existsSync(e.thumbnail), e.thumbnail);
      assert.deepEqual(
        fs.readdirSync(folder).filter((name) => name.endsWith('.tmp')),
        [],
      );
    }
    assert.ok(taught.size >= 105, `taught ${taught.size}`);
  });

  it('a crash between writing the temp file and renaming it leaves the previous set', async function () {
    const folder = tempFolder('half-written');
    await teachUntilKilled(folder, 3, 0);
    const before = await LabelSet.open(folder, MODEL);
    const ids = before.classes().flatMap((c) => c.examples.map((e) => e.id));
    // What writeFileAtomic leaves when its process dies after the temp write, before the rename: a temp file
    // (here cut short) named for a writer that is no longer running.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const temp = path.join(folder, `labelset.json.${dead.pid}-0123abcd.tmp`);
    fs.writeFileSync(temp, fs.readFileSync(path.join(folder, 'labelset.json')).subarray(0, 1000));
    const after = await LabelSet.open(folder, MODEL);
    assert.deepEqual(
      after.classes().flatMap((c) => c.examples.map((e) => e.id)),
      ids,
    );
    assert.equal(fs.existsSync(temp), false, 'the dead writer’s temp file is cleaned up');
  });
});
