import assert from 'node:assert/strict';
import { ReviewQueue } from '../../src/labelset/review-queue';
import { readImage } from '../fixtures';

describe('review queue', () => {
  const owl = readImage('owl.jpg');
  const dog = readImage('hot_dog.jpg');
  const entry = (label: string) => ({ reason: 'low-score' as const, ts: 1, label, score: 0.3 });

  it('keeps frames with their JPEG, oldest first, and drops (and counts) the oldest past the count', () => {
    const q = new ReviewQueue({ maxEntries: 2 });
    const a = q.add(entry('a'), owl);
    const b = q.add(entry('b'), dog);
    const c = q.add(entry('c'), owl);
    assert.ok(a && b && c);
    assert.deepEqual(
      q.list().map((e) => e.label),
      ['b', 'c'],
    );
    assert.equal(q.jpeg(a), undefined);
    assert.equal(q.jpeg(b), dog);
    assert.deepEqual(q.stats(), { size: 2, bytes: dog.length + owl.length, dropped: 1 });
    assert.equal(q.list()[0].bytes, dog.length);
  });

  it('stays within its byte bound', () => {
    const q = new ReviewQueue({ maxEntries: 100, maxBytes: owl.length + dog.length });
    for (let i = 0; i < 5; i += 1) q.add(entry(String(i)), i % 2 === 0 ? owl : dog);
    assert.ok(q.stats().bytes <= owl.length + dog.length);
    assert.equal(q.stats().dropped, 3);
    assert.equal(q.add(entry('huge'), Buffer.concat([owl, dog, owl])), undefined);
    assert.equal(q.stats().dropped, 4);
  });

  it('forgets a labelled frame', () => {
    const q = new ReviewQueue();
    const id = q.add({ reason: 'state-change', ts: 5, label: 'open', score: 0.9 }, owl) as string;
    assert.equal(q.remove(id), true);
    assert.equal(q.remove(id), false);
    assert.deepEqual(q.stats(), { size: 0, bytes: 0, dropped: 0 });
  });

  it('refuses bounds that are not whole numbers', () => {
    assert.throws(() => new ReviewQueue({ maxEntries: -1 }), /maxEntries must be an integer >= 0/);
    assert.throws(() => new ReviewQueue({ maxBytes: 1.5 }), /maxBytes must be an integer >= 0/);
  });
});
