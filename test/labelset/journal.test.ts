import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabelSetError } from '../../src/labelset/errors';
import { COMPACT_AFTER_RECORDS } from '../../src/labelset/journal';
import { LabelSet } from '../../src/labelset/label-set';
import { realThumbnail, TINY_MODEL, tempFolder, vector } from './helpers';

function ids(set: LabelSet): string[] {
  return set.classes().flatMap((c) => c.examples.map((e) => e.id));
}

describe('LabelSet journal (examples.jsonl)', function () {
  this.timeout(60_000);
  let jpeg: Buffer;

  before(async function () {
    jpeg = await realThumbnail();
  });

  it('an add appends one line and leaves labelset.json as it was', async function () {
    const folder = tempFolder('journal-append');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const file = path.join(folder, 'labelset.json');
    const before = fs.readFileSync(file, 'utf8');
    const id = await set.add('a', vector(1, 0, 0, 0), jpeg);
    await set.add('b', vector(0, 1, 0, 0), jpeg);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    const lines = fs.readFileSync(path.join(folder, 'examples.jsonl'), 'utf8').split('\n');
    assert.deepEqual(Object.keys(JSON.parse(lines[0])), ['journal']);
    assert.deepEqual(JSON.parse(lines[1]).id, id);
    assert.equal(lines.length, 4, 'header, two records, and the empty text after the last newline');
    assert.deepEqual(ids(await LabelSet.open(folder, TINY_MODEL)), ids(set));
  });

  it('ignores a torn last line and a line whose crop never reached the disk, then compacts', async function () {
    const folder = tempFolder('journal-torn');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const kept = await set.add('a', vector(1, 0, 0, 0), jpeg);
    const cropLost = await set.add('a', vector(0, 1, 0, 0), jpeg);
    fs.unlinkSync(path.join(folder, 'examples', `${cropLost}.jpg`));
    const journal = path.join(folder, 'examples.jsonl');
    const text = fs.readFileSync(journal, 'utf8');
    fs.appendFileSync(journal, text.split('\n')[1].slice(0, 40));
    const reopened = await LabelSet.open(folder, TINY_MODEL);
    assert.deepEqual(ids(reopened), [kept]);
    // The torn journal was folded into labelset.json and replaced, so new lines never follow a torn one.
    const onDisk = JSON.parse(fs.readFileSync(path.join(folder, 'labelset.json'), 'utf8'));
    assert.deepEqual(
      onDisk.classes.a.map((e: { id: string }) => e.id),
      [kept],
    );
    assert.equal(fs.readFileSync(journal, 'utf8').split('\n').length, 2);
    const next = await reopened.add('b', vector(0, 0, 1, 0), jpeg);
    assert.deepEqual(ids(await LabelSet.open(folder, TINY_MODEL)), [kept, next]);
  });

  it('ignores a line whose crop was cut short (created in place), and takes lines without a length', async function () {
    const folder = tempFolder('journal-short-crop');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const kept = await set.add('a', vector(1, 0, 0, 0), jpeg);
    const cut = await set.add('a', vector(0, 1, 0, 0), jpeg);
    const journal = path.join(folder, 'examples.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    assert.equal(JSON.parse(lines[1]).bytes, jpeg.length, 'the line names its crop length');
    // What a kill during the crop's write leaves: the crop's first bytes only.
    fs.truncateSync(path.join(folder, 'examples', `${cut}.jpg`), 100);
    assert.deepEqual(ids(await LabelSet.open(folder, TINY_MODEL)), [kept]);

    // A journal written before lines carried the length: the crop only has to be there.
    const old = tempFolder('journal-no-length');
    const oldSet = await LabelSet.open(old, { ...TINY_MODEL, create: true });
    const first = await oldSet.add('a', vector(1, 0, 0, 0), jpeg);
    const oldJournal = path.join(old, 'examples.jsonl');
    const withoutLength = fs
      .readFileSync(oldJournal, 'utf8')
      .split('\n')
      .map((line) => (line.includes('"bytes"') ? JSON.stringify({ ...JSON.parse(line), bytes: undefined }) : line));
    fs.writeFileSync(oldJournal, withoutLength.join('\n'));
    assert.deepEqual(ids(await LabelSet.open(old, TINY_MODEL)), [first]);
  });

  it('refuses a damaged line in the middle, naming examples.jsonl, and leaves it as it was', async function () {
    const folder = tempFolder('journal-corrupt');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    await set.add('a', vector(1, 0, 0, 0), jpeg);
    await set.add('a', vector(0, 1, 0, 0), jpeg);
    const journal = path.join(folder, 'examples.jsonl');
    const lines = fs.readFileSync(journal, 'utf8').split('\n');
    for (const [line, message] of [
      ['{"label": "a"', /line 2 is not valid JSON/],
      [JSON.stringify({ ...JSON.parse(lines[1]), embedding: 'AAAA' }), /not base64 of 4 float32/],
      [JSON.stringify({ ...JSON.parse(lines[1]), label: 'unknown' }), /line 2 has a label that is refused/],
      [lines[2], /repeats the id/],
    ] as [string, RegExp][]) {
      const damaged = [lines[0], line, ...lines.slice(2)].join('\n');
      fs.writeFileSync(journal, damaged);
      await assert.rejects(LabelSet.open(folder, TINY_MODEL), (e: unknown) => {
        assert.equal((e as LabelSetError).code, 'corrupt');
        assert.match((e as Error).message, message);
        assert.equal((e as LabelSetError).file, journal);
        return true;
      });
      assert.equal(fs.readFileSync(journal, 'utf8'), damaged, 'the journal was not touched');
    }
  });

  it('compacts on its own every COMPACT_AFTER_RECORDS adds, and a removal compacts', async function () {
    const folder = tempFolder('journal-compact');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    for (let i = 0; i < COMPACT_AFTER_RECORDS + 2; i++) await set.add(`c${i % 3}`, vector(1, i, 0, 0), jpeg);
    const journal = path.join(folder, 'examples.jsonl');
    assert.equal(fs.readFileSync(journal, 'utf8').trimEnd().split('\n').length, 3, 'header + 2 adds');
    const doc = JSON.parse(fs.readFileSync(path.join(folder, 'labelset.json'), 'utf8'));
    assert.equal(Object.values(doc.classes).flat().length, COMPACT_AFTER_RECORDS);
    await set.forget('c0');
    assert.equal(fs.readFileSync(journal, 'utf8').trimEnd().split('\n').length, 1, 'a fresh journal');
    const reopened = await LabelSet.open(folder, TINY_MODEL);
    assert.deepEqual(ids(reopened), ids(set));
    assert.deepEqual(reopened.labels(), ['c1', 'c2']);
  });
});
