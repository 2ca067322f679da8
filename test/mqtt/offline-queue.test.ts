import assert from 'node:assert/strict';
import { OfflineQueue } from '../../src/mqtt/offline-queue';

describe('mqtt/offline-queue', () => {
  it('keeps the newest items up to the bound, in order, and counts what it forced out', () => {
    const q = new OfflineQueue<number>(3);
    const forced = [1, 2, 3, 4, 5].map((n) => q.push(n));
    assert.deepEqual(forced, [undefined, undefined, undefined, 1, 2]);
    assert.equal(q.dropped, 2);
    assert.deepEqual(q.drain(), [3, 4, 5]);
    assert.equal(q.length, 0);
    assert.equal(q.dropped, 2);
  });

  it('rejects a bound that is not a positive integer', () => {
    assert.throws(() => new OfflineQueue(0), /integer >= 1/);
  });
});
