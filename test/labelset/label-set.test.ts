import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabelSetError } from '../../src/labelset/errors';
import { LabelSet } from '../../src/labelset/label-set';
import { LABELSET_LIMITS } from '../../src/labelset/limits';
import { encodeEmbedding } from '../../src/labelset/vectors';
import { realThumbnail, TINY_MODEL, tempFolder, vector } from './helpers';

function refusal(code: string, message?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LabelSetError, `expected a LabelSetError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  };
}

describe('LabelSet storage', function () {
  let jpeg: Buffer;

  before(async function () {
    jpeg = await realThumbnail();
  });

  it('keeps classes, embeddings and crops as labelset.json + examples/<id>.jpg across a reopen', async function () {
    const folder = path.join(tempFolder('store'), 'garage');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    assert.equal(set.name, 'garage');
    const open = await set.add('door open', vector(1, 0, 0, 0), jpeg);
    const closed = await set.add('door closed', vector(0, 2, 0, 0), jpeg);

    // An add appends one line to the journal; compaction folds the lines into labelset.json.
    const journal = fs.readFileSync(path.join(folder, 'examples.jsonl'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      journal.slice(1).map((line) => [JSON.parse(line).label, JSON.parse(line).id]),
      [
        ['door open', open],
        ['door closed', closed],
      ],
    );
    await set.compact();
    const onDisk = JSON.parse(fs.readFileSync(path.join(folder, 'labelset.json'), 'utf8'));
    assert.equal(onDisk.version, 1);
    assert.deepEqual(onDisk.model, { fingerprint: TINY_MODEL.fingerprint, embeddingSize: 4, name: 'tiny' });
    assert.deepEqual(Object.keys(onDisk.classes), ['door open', 'door closed']);
    assert.equal(onDisk.classes['door closed'][0].thumbnail, `examples/${closed}.jpg`);
    // Stored L2-normalised, little-endian float32.
    assert.equal(onDisk.classes['door closed'][0].embedding, encodeEmbedding(vector(0, 1, 0, 0)));
    assert.deepEqual(fs.readFileSync(path.join(folder, 'examples', `${open}.jpg`)), jpeg);

    const again = await LabelSet.open(folder, TINY_MODEL);
    assert.deepEqual(
      again.classes().map((c) => [c.label, c.count, c.examples[0].id]),
      [
        ['door open', 1, open],
        ['door closed', 1, closed],
      ],
    );
    assert.equal(again.classes()[0].examples[0].thumbnail, path.join(folder, 'examples', `${open}.jpg`));
    assert.deepEqual(await again.thumbnail(open), jpeg);
    assert.equal(again.match(vector(0, 1, 0.1, 0)).label, 'door closed');
  });

  it('refuses an unknown folder, and a folder without a set, unless asked to create one', async function () {
    const missing = path.join(tempFolder('missing'), 'nope');
    await assert.rejects(LabelSet.open(missing, TINY_MODEL), refusal('missing', /nope does not exist/));
    assert.equal(fs.existsSync(missing), false);
    const empty = tempFolder('empty');
    await assert.rejects(LabelSet.open(empty, TINY_MODEL), refusal('missing', /holds no labelset.json/));
    const file = path.join(empty, 'a-file');
    fs.writeFileSync(file, 'x');
    await assert.rejects(LabelSet.open(file, TINY_MODEL), refusal('missing', /is not a folder/));
  });

  it('refuses a corrupt labelset.json, naming it, and leaves it byte for byte as it was', async function () {
    const folder = tempFolder('corrupt');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    await set.add('a', vector(1, 0, 0, 0), jpeg);
    await set.compact();
    const file = path.join(folder, 'labelset.json');
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    const damaged: [string, RegExp][] = [
      [fs.readFileSync(file, 'utf8').slice(0, 100), /is not valid JSON/],
      ['', /is not valid JSON/],
      [JSON.stringify({ ...good, version: 7 }), /newer version/],
      [
        JSON.stringify({ ...good, classes: { a: [{ ...good.classes.a[0], embedding: 'AAAA' }] } }),
        /not base64 of 4 float32/,
      ],
      [
        JSON.stringify({ ...good, classes: { a: [{ ...good.classes.a[0], thumbnail: '../../etc/passwd' }] } }),
        /thumbnail/,
      ],
      [JSON.stringify({ ...good, classes: { '': good.classes.a } }), /label is refused/],
    ];
    for (const [text, message] of damaged) {
      fs.writeFileSync(file, text);
      await assert.rejects(LabelSet.open(folder, { ...TINY_MODEL, create: true }), (e: unknown) => {
        refusal('corrupt', message)(e);
        assert.ok((e as Error).message.includes(file), (e as Error).message);
        assert.equal((e as LabelSetError).file, file);
        return true;
      });
      assert.equal(fs.readFileSync(file, 'utf8'), text, 'the file was not touched');
    }
  });

  it(
    'refuses a set taught with another model, and answers it after reembed() from the stored ' + 'crops',
    async function () {
      const folder = tempFolder('model');
      const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
      await set.add('a', vector(1, 0, 0, 0), jpeg);
      await set.add('b', vector(0, 1, 0, 0), jpeg);
      const other = { fingerprint: 'other-model', embeddingSize: 3, modelName: 'bigger' };
      await assert.rejects(
        LabelSet.open(folder, other),
        refusal('model-mismatch', /model tiny .*not model bigger.*reembed/),
      );
      await assert.rejects(
        LabelSet.open(folder, { ...TINY_MODEL, fingerprint: 'same-size-other-weights' }),
        refusal('model-mismatch', /labelset.json/),
      );

      const changing = await LabelSet.open(folder, { ...other, allowModelChange: true });
      assert.equal(changing.needsReembed, true);
      assert.throws(() => changing.match(vector(1, 0, 0, 0)), refusal('model-mismatch', /before reembed/));
      await assert.rejects(changing.add('c', vector(1, 0, 0), jpeg), refusal('model-mismatch'));
      // A stand-in embedder: each crop's new embedding is the same, the point is that it is read from disk.
      const seen: Buffer[] = [];
      const count = await changing.reembed(async (crop) => {
        seen.push(crop);
        return vector(0, 0, 1);
      });
      assert.equal(count, 2);
      assert.deepEqual(seen, [jpeg, jpeg]);
      assert.equal(changing.needsReembed, false);
      assert.equal(changing.match(vector(0, 0, 1)).scores.length, 2);
      const reopened = await LabelSet.open(folder, other);
      assert.equal(reopened.model.fingerprint, 'other-model');
      await assert.rejects(LabelSet.open(folder, TINY_MODEL), refusal('model-mismatch'));
    },
  );

  it('reembed is all or nothing: an embedder that fails leaves the set with its old model', async function () {
    const folder = tempFolder('reembed-fail');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    await set.add('a', vector(1, 0, 0, 0), jpeg);
    await set.add('a', vector(0, 1, 0, 0), jpeg);
    const changing = await LabelSet.open(folder, { fingerprint: 'x', embeddingSize: 2, allowModelChange: true });
    let calls = 0;
    await assert.rejects(
      changing.reembed(async () => (++calls === 2 ? vector(1, 2, 3) : vector(1, 0))),
      refusal('bad-embedding', /has 3 values/),
    );
    assert.equal(changing.needsReembed, true);
    assert.equal((await LabelSet.open(folder, TINY_MODEL)).exampleCount, 2);
  });

  it('refuses empty, reserved, too long and odd labels, writing nothing', async function () {
    const folder = tempFolder('labels');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const before = fs.readFileSync(path.join(folder, 'labelset.json'), 'utf8');
    const labels: [unknown, RegExp][] = [
      ['', /empty/],
      ['   ', /empty/],
      [' door', /starts or ends with a space/],
      ['unknown', /reserved/],
      ['Unknown', /reserved/],
      ['a/b', /only letters, digits/],
      ['door#1', /only letters, digits/],
      ['x'.repeat(LABELSET_LIMITS.maxLabelLength + 1), /longer than 64/],
      [42, /must be a string/],
    ];
    for (const [label, message] of labels) {
      await assert.rejects(
        set.add(label as string, vector(1, 0, 0, 0), jpeg),
        refusal('bad-label', message),
        String(label),
      );
    }
    assert.equal(await set.add('Tür offen (links)', vector(1, 0, 0, 0), jpeg).then((id) => id.length), 16);
    assert.equal(set.exampleCount, 1);
    assert.equal(fs.readdirSync(path.join(folder, 'examples')).length, 1);
    await set.compact();
    assert.notEqual(before, fs.readFileSync(path.join(folder, 'labelset.json'), 'utf8'));
  });

  it('refuses labels whose MQTT topic level the publisher uses under a source (state, image, …)', async function () {
    const folder = tempFolder('topic-words');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    for (const label of ['state', 'State', 'image', 'teach', 'attributes', 'label', 'labels', 'frame']) {
      await assert.rejects(
        set.add(label, vector(1, 0, 0, 0), jpeg),
        refusal('bad-label', /would be published on <prefix>\/<source>\/[a-z]+, a topic the MQTT publisher uses/),
        label,
      );
    }
    assert.equal(set.exampleCount, 0, 'nothing taught');
    // Words that merely contain one are their own topic level.
    const id = await set.add('door state', vector(1, 0, 0, 0), jpeg);
    await assert.rejects(set.relabel('door state', 'image'), refusal('bad-label', /new label: label "image"/));
    await assert.rejects(set.moveExample(id, 'Teach'), refusal('bad-label', /<source>\/teach/));
    // A set that holds such a label already (taught before the rule) still opens and matches: nothing is lost.
    await set.compact();
    const file = path.join(folder, 'labelset.json');
    const document = JSON.parse(fs.readFileSync(file, 'utf8'));
    document.classes.state = document.classes['door state'];
    delete document.classes['door state'];
    fs.writeFileSync(file, JSON.stringify(document));
    const old = await LabelSet.open(folder, TINY_MODEL);
    assert.equal(old.match(vector(1, 0, 0, 0)).label, 'state');
  });

  it('refuses a wrong-size or empty embedding and a thumbnail that is not a small JPEG', async function () {
    const set = await LabelSet.open(tempFolder('inputs'), { ...TINY_MODEL, create: true });
    await assert.rejects(set.add('a', vector(1, 0, 0), jpeg), refusal('bad-embedding', /has 3 values but .* 4/));
    await assert.rejects(set.add('a', vector(0, 0, 0, 0), jpeg), refusal('bad-embedding', /all zeros/));
    await assert.rejects(
      set.add('a', vector(1, 0, 0, 0), Buffer.from('not a jpeg')),
      refusal('bad-thumbnail', /not a JPEG/),
    );
    const huge = Buffer.concat([jpeg, Buffer.alloc(LABELSET_LIMITS.maxThumbnailBytes)]);
    await assert.rejects(set.add('a', vector(1, 0, 0, 0), huge), refusal('bad-thumbnail', /more than 262144/));
    assert.equal(set.exampleCount, 0);
  });

  it('bounds a class: the 501st example (or 10,000 in a file) is a clear limit error', async function () {
    const folder = tempFolder('limit');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    await set.add('full', vector(1, 0, 0, 0), jpeg);
    await set.compact();
    // Writing 500 examples one by one costs 1000 fsyncs; a file holding them is the same state.
    const file = path.join(folder, 'labelset.json');
    const document = JSON.parse(fs.readFileSync(file, 'utf8'));
    const template = document.classes.full[0];
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => {
        const id = i.toString(16).padStart(16, '0');
        return { ...template, id, thumbnail: `examples/${id}.jpg` };
      });
    document.classes.full = many(LABELSET_LIMITS.maxExamplesPerClass);
    fs.writeFileSync(file, JSON.stringify(document));
    const full = await LabelSet.open(folder, TINY_MODEL);
    await assert.rejects(full.add('full', vector(1, 0, 0, 0), jpeg), refusal('limit', /already has 500 examples/));
    assert.equal(full.exampleCount, 500);
    const other = await full.add('another class', vector(0, 1, 0, 0), jpeg);
    assert.equal(other.length, 16);

    document.classes.full = many(10_000);
    fs.writeFileSync(file, JSON.stringify(document));
    await assert.rejects(
      LabelSet.open(folder, TINY_MODEL),
      refusal('corrupt', /10000 examples, more than the limit of 500/),
    );
  });

  it('forget, removeExample and relabel persist and remove the crops they no longer need', async function () {
    const folder = tempFolder('edit');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const [a1, a2] = [await set.add('a', vector(1, 0, 0, 0), jpeg), await set.add('a', vector(1, 1, 0, 0), jpeg)];
    const b1 = await set.add('b', vector(0, 1, 0, 0), jpeg);
    const c1 = await set.add('c', vector(0, 0, 1, 0), jpeg);
    assert.equal(await set.removeExample(a2), 'a');
    assert.equal(fs.existsSync(path.join(folder, 'examples', `${a2}.jpg`)), false);
    assert.equal(await set.relabel('b', 'a'), 1);
    assert.equal(await set.relabel('c', 'see'), 1);
    assert.equal(await set.forget('a'), 2);
    for (const id of [a1, b1]) assert.equal(fs.existsSync(path.join(folder, 'examples', `${id}.jpg`)), false);
    await assert.rejects(set.forget('a'), refusal('not-found', /no class "a" \(it has: see\)/));
    await assert.rejects(set.removeExample('0000000000000000'), refusal('not-found'));
    await assert.rejects(set.relabel('see', ''), refusal('bad-label'));
    const reopened = await LabelSet.open(folder, TINY_MODEL);
    assert.deepEqual(
      reopened.classes().map((c) => [c.label, c.examples.map((e) => e.id)]),
      [['see', [c1]]],
    );
  });

  it('moveExample moves one example to another class (new or not), persisted, on the next match', async function () {
    const folder = tempFolder('move');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const a1 = await set.add('a', vector(1, 0, 0, 0), jpeg);
    // Taught as "a" by mistake: it looks like b.
    const wrong = await set.add('a', vector(0, 1, 0, 0), jpeg);
    const b1 = await set.add('b', vector(0, 1, 0.1, 0), jpeg);
    assert.equal(await set.moveExample(wrong, 'b'), 'a');
    assert.deepEqual(
      set.classes().map((c) => [c.label, c.count]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    assert.equal(set.match(vector(1, 0, 0, 0)).label, 'a', 'class a is its one right example again');
    // Moving a class's last example to a new class: the old class goes, its place is the new one's end.
    assert.equal(await set.moveExample(a1, 'see'), 'a');
    assert.deepEqual(set.labels(), ['b', 'see']);
    assert.ok(fs.existsSync(path.join(folder, 'examples', `${a1}.jpg`)), 'the crop moves with it');
    await assert.rejects(set.moveExample(a1, ''), refusal('bad-label'));
    await assert.rejects(set.moveExample(a1, 'unknown'), refusal('bad-label'));
    await assert.rejects(set.moveExample('0000000000000000', 'b'), refusal('not-found'));
    const reopened = await LabelSet.open(folder, TINY_MODEL);
    assert.deepEqual(
      reopened.classes().map((c) => [c.label, c.examples.map((e) => e.id)]),
      [
        ['b', [b1, wrong]],
        ['see', [a1]],
      ],
    );
  });

  it('applies concurrent changes one at a time, losing none', async function () {
    const folder = tempFolder('concurrent');
    const set = await LabelSet.open(folder, { ...TINY_MODEL, create: true });
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => set.add(i % 2 ? 'odd' : 'even', vector(1, i, 0, 0), jpeg)),
    );
    assert.equal(new Set(ids).size, 20);
    const reopened = await LabelSet.open(folder, TINY_MODEL);
    assert.deepEqual(
      reopened.classes().map((c) => c.count),
      [10, 10],
    );
  });

  it(
    'exports to one JSON object and imports it into another folder, refusing to overwrite or change ' + 'model',
    async function () {
      const set = await LabelSet.open(tempFolder('export'), { ...TINY_MODEL, create: true });
      const id = await set.add('a', vector(1, 0, 0, 0), jpeg);
      await set.add('b', vector(0, 1, 0, 0), jpeg);
      const exported = await set.export();
      assert.equal(exported.thumbnails[id], jpeg.toString('base64'));

      const target = path.join(tempFolder('import'), 'copy');
      const copy = await LabelSet.import(target, JSON.stringify(exported), TINY_MODEL);
      assert.deepEqual(
        copy.classes().map((c) => c.label),
        ['a', 'b'],
      );
      assert.deepEqual(await copy.thumbnail(id), jpeg);
      assert.deepEqual(copy.match(vector(0, 1, 0, 0)), set.match(vector(0, 1, 0, 0)));
      await assert.rejects(LabelSet.import(target, exported, TINY_MODEL), refusal('exists', /replace: true/));
      await assert.rejects(
        LabelSet.import(tempFolder('import2'), exported, { fingerprint: 'other', embeddingSize: 4 }),
        refusal('model-mismatch'),
      );
      await assert.rejects(
        LabelSet.import(tempFolder('import3'), '{"version": 1', TINY_MODEL),
        refusal('corrupt', /not valid JSON/),
      );
      const { [id]: _dropped, ...fewer } = exported.thumbnails;
      await assert.rejects(
        LabelSet.import(tempFolder('import4'), { ...exported, thumbnails: fewer }, TINY_MODEL),
        refusal('corrupt', new RegExp(`no thumbnail for example ${id}`)),
      );
      await set.forget('a');
      const replaced = await LabelSet.import(target, await set.export(), { ...TINY_MODEL, replace: true });
      assert.deepEqual(replaced.labels(), ['b']);
      assert.equal(fs.existsSync(path.join(target, 'examples', `${id}.jpg`)), false);
    },
  );
});
