import assert from 'node:assert/strict';
import { Consensus } from '../../src/labelset/consensus';

describe('consensus', () => {
  const open = { label: 'open', score: 0.9 };
  const closed = { label: 'closed', score: 0.95 };

  it('publishes a state after K agreeing results, once, with the one before it', () => {
    const c = new Consensus({ frames: 3, minScore: 0.8 });
    assert.equal(c.update(open, 1), undefined);
    assert.equal(c.update(open, 2), undefined);
    assert.deepEqual(c.update(open, 3), { state: 'open', previous: null, changedAt: 3, score: 0.9 });
    assert.equal(c.update(open, 4), undefined, 'the same state is not published again');
    assert.equal(c.update(closed, 5), undefined);
    assert.equal(c.update(closed, 6), undefined);
    const change = c.update(closed, 7);
    assert.deepEqual(
      { ...change, score: change?.score.toFixed(6) },
      { state: 'closed', previous: 'open', changedAt: 7, score: '0.950000' },
    );
    const state = c.state;
    assert.deepEqual(
      { ...state, score: state.score?.toFixed(6) },
      { current: 'closed', previous: 'open', changedAt: 7, score: '0.950000' },
    );
  });

  it('starts counting again after a low score, an unknown or another label', () => {
    const c = new Consensus({ frames: 2, minScore: 0.8 });
    const breakers = [{ label: 'open', score: 0.5 }, { label: 'unknown', score: 0.99, known: false }, closed];
    for (const breaker of breakers) {
      assert.equal(c.update(open, 1), undefined);
      assert.equal(c.confirming, true);
      c.update(breaker, 2);
      assert.equal(c.update(open, 3), undefined, `${JSON.stringify(breaker)} did not break the streak`);
      c.update(breaker, 4);
    }
    assert.equal(c.state.current, null);
  });

  it('is not confirming once the candidate is the current state', () => {
    const c = new Consensus({ frames: 1 });
    assert.ok(c.update(open, 1));
    c.update(open, 2);
    assert.equal(c.confirming, false);
  });

  it('averages the agreeing scores', () => {
    const c = new Consensus({ frames: 2, minScore: 0.5 });
    c.update({ label: 'a', score: 0.6 }, 1);
    assert.equal(c.update({ label: 'a', score: 0.8 }, 2)?.score.toFixed(6), '0.700000');
  });

  it('refuses a K or threshold out of range', () => {
    assert.throws(() => new Consensus({ frames: 0 }), /frames must be an integer from 1 to 1000, got 0/);
    assert.throws(() => new Consensus({ minScore: 1.5 }), /minScore must be a number from 0 to 1, got 1.5/);
  });
});
