import * as assert from 'node:assert/strict';
import { LabelSetError } from '../../src/labelset/errors';
import { LabelSet } from '../../src/labelset/label-set';
import { calibrate, DEFAULT_MATCH_OPTIONS } from '../../src/labelset/matcher';
import { realThumbnail, TINY_MODEL, tempFolder, vector } from './helpers';

describe('LabelSet.match', function () {
  let set: LabelSet;
  let jpeg: Buffer;

  beforeEach(async function () {
    jpeg = await realThumbnail();
    set = await LabelSet.open(tempFolder('match'), { ...TINY_MODEL, create: true });
  });

  async function teach(label: string, ...vectors: Float32Array[]): Promise<string[]> {
    const ids: string[] = [];
    for (const v of vectors) ids.push(await set.add(label, v, jpeg));
    return ids;
  }

  it('answers unknown with no scores while nothing is taught', function () {
    assert.deepEqual(set.match(vector(1, 0, 0, 0)), { label: 'unknown', score: 0, known: false, scores: [] });
  });

  it('gives the class whose prototype is nearest, scores best first and summing to at most 1', async function () {
    await teach('open', vector(1, 0, 0, 0), vector(0.9, 0.1, 0, 0));
    await teach('closed', vector(0, 1, 0, 0), vector(0.1, 0.9, 0, 0));
    const result = set.match(vector(0.95, 0.05, 0, 0));
    assert.equal(result.label, 'open');
    assert.equal(result.known, true);
    assert.deepEqual(
      result.scores.map((s) => s.label),
      ['open', 'closed'],
    );
    assert.equal(result.score, result.scores[0].score);
    const total = result.scores.reduce((sum, s) => sum + s.score, 0);
    assert.ok(total > 0.99 && total <= 1 + 1e-9, `sum ${total}`);
    // The prototype of "open" is the normalised mean of (1,0,0,0) and (0.9,0.1,0,0)/|…|.
    assert.ok(Math.abs(result.scores[0].similarity - 0.99967) < 1e-3, String(result.scores[0].similarity));
  });

  it('normalises the query: a scaled embedding matches the same', async function () {
    await teach('a', vector(1, 0, 0, 0));
    await teach('b', vector(0, 1, 0, 0));
    assert.deepEqual(set.match(vector(3, 1, 0, 0)), set.match(vector(0.3, 0.1, 0, 0)));
  });

  it('answers unknown for an embedding far from every class (the implicit none-of-these class)', async function () {
    await teach('open', vector(1, 0, 0, 0));
    await teach('closed', vector(0, 1, 0, 0));
    const result = set.match(vector(0, 0, 1, 0));
    assert.equal(result.label, 'unknown');
    assert.equal(result.known, false);
    assert.ok(result.score < DEFAULT_MATCH_OPTIONS.threshold);
    // A plain softmax over the two classes spreads 1 between them, and the threshold alone decides.
    const plain = set.match(vector(0, 0, 1, 0), { unknownSimilarity: null });
    assert.ok(Math.abs(plain.scores[0].score - 0.5) < 1e-6);
  });

  it('answers unknown when the two best classes are within the margin', async function () {
    await teach('left', vector(1, 0, 0, 0));
    await teach('right', vector(0, 1, 0, 0));
    const between = vector(1, 0.99, 0, 0);
    const strict = set.match(between, { threshold: 0, margin: 0.2, unknownSimilarity: null });
    assert.equal(strict.label, 'unknown');
    assert.equal(strict.scores[0].label, 'left');
    const lax = set.match(between, { threshold: 0, margin: 0, unknownSimilarity: null });
    assert.equal(lax.label, 'left');
  });

  it('can answer unknown with a single class taught', async function () {
    await teach('parcel', vector(1, 0, 0, 0));
    assert.equal(set.match(vector(1, 0.05, 0, 0)).label, 'parcel');
    assert.equal(set.match(vector(0.2, 1, 0, 0)).label, 'unknown');
  });

  it('k-NN follows a class with two looks that its prototype averages away', async function () {
    // "door" was taught from two very different angles; its mean points between them, near "wall".
    await teach('door', vector(1, 0, 0, 0), vector(0, 0, 1, 0));
    await teach('wall', vector(0.7, 0, 0.7, 0.14));
    const query = vector(0.98, 0, 0.1, 0.1);
    assert.equal(set.match(query, { method: 'prototype' }).scores[0].label, 'wall');
    const knn = set.match(query, { method: 'knn', k: 1 });
    assert.equal(knn.scores[0].label, 'door');
    // k = 1: the similarity to the nearest example, (1, 0, 0, 0).
    assert.ok(Math.abs(knn.scores[0].similarity - 0.98 / Math.hypot(0.98, 0.1, 0.1)) < 1e-6);
  });

  it('a lower temperature sharpens the scores without changing their order', async function () {
    await teach('a', vector(1, 0, 0, 0));
    await teach('b', vector(0.6, 0.8, 0, 0));
    const query = vector(0.9, 0.3, 0, 0);
    const soft = set.match(query, { temperature: 0.5, unknownSimilarity: null });
    const sharp = set.match(query, { temperature: 0.02, unknownSimilarity: null });
    assert.equal(soft.scores[0].label, sharp.scores[0].label);
    assert.ok(sharp.scores[0].score > soft.scores[0].score);
  });

  it('add, removeExample, relabel and forget change the very next match', async function () {
    const [first] = await teach('cat', vector(1, 0, 0, 0));
    assert.equal(set.match(vector(0, 1, 0, 0)).label, 'unknown');
    const [dog] = await teach('dog', vector(0, 1, 0, 0));
    assert.equal(set.match(vector(0, 1, 0, 0)).label, 'dog');
    // A second cat example moves the cached prototype of "cat".
    const before = set.match(vector(0.5, 0.5, 0.7, 0)).scores.find((s) => s.label === 'cat')?.similarity;
    await teach('cat', vector(0, 0, 1, 0));
    const after = set.match(vector(0.5, 0.5, 0.7, 0)).scores.find((s) => s.label === 'cat')?.similarity;
    assert.notEqual(before, after);
    await set.relabel('dog', 'puppy');
    assert.equal(set.match(vector(0, 1, 0, 0)).label, 'puppy');
    await set.removeExample(dog);
    assert.equal(set.match(vector(0, 1, 0, 0)).label, 'unknown');
    await set.forget('cat');
    assert.equal(set.match(vector(1, 0, 0, 0)).label, 'unknown');
    assert.deepEqual(set.labels(), []);
    assert.ok(first.length === 16);
  });

  it('refuses bad options and bad embeddings with a LabelSetError', async function () {
    await teach('a', vector(1, 0, 0, 0));
    const bad: [unknown, RegExp][] = [
      [{ method: 'svm' }, /method must be one of prototype, knn/],
      [{ temperature: 0 }, /temperature/],
      [{ threshold: 1.5 }, /threshold must be 0..1/],
      [{ margin: -0.1 }, /margin must be 0..1/],
      [{ k: 0 }, /k must be a whole number/],
      [{ unknownSimilarity: 2 }, /unknownSimilarity/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => set.match(vector(1, 0, 0, 0), options as never),
        (e: unknown) => e instanceof LabelSetError && e.code === 'bad-option' && message.test(e.message),
        JSON.stringify(options),
      );
    }
    for (const embedding of [vector(1, 0, 0), vector(0, 0, 0, 0), vector(1, Number.NaN, 0, 0), 'x']) {
      assert.throws(
        () => set.match(embedding as never),
        (e: unknown) => e instanceof LabelSetError && e.code === 'bad-embedding',
      );
    }
  });
});

describe('calibrate', function () {
  it('is softmax(similarity / T), with the none-of-these similarity in the denominator', function () {
    const [a, b] = calibrate([0.9, 0.5], 0.1, null);
    assert.ok(Math.abs(a - 1 / (1 + Math.exp(-4))) < 1e-12);
    assert.ok(Math.abs(a + b - 1) < 1e-12);
    const [alone] = calibrate([0.5], 0.1, 0.5);
    assert.ok(Math.abs(alone - 0.5) < 1e-12);
  });
});
