import assert from 'node:assert/strict';
import { toError } from '../src';

describe('toError', function () {
  it('passes an Error through untouched: the same object, its class and code kept', function () {
    const thrown = Object.assign(new RangeError('out of range'), { code: 'E_RANGE' });
    assert.equal(toError(thrown), thrown);
  });

  it('turns anything else thrown into an Error whose message is its text', function () {
    const cases: Array<[unknown, string]> = [
      ['plain string', 'plain string'],
      [42, '42'],
      [undefined, 'undefined'],
      [null, 'null'],
      [{ toString: () => 'custom' }, 'custom'],
    ];
    for (const [thrown, message] of cases) {
      const error = toError(thrown);
      assert.ok(error instanceof Error);
      assert.equal(error.message, message);
    }
  });
});
