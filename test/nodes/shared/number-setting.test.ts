import assert from 'node:assert/strict';
import { numberOrDefault } from '../../../nodes/shared/number-setting';

describe('numberOrDefault: every node reads a number field one way', function () {
  it('takes a missing, null or blank field for the default', function () {
    for (const missing of [undefined, null, '', '   ', '\t'])
      assert.equal(numberOrDefault(missing, 7), 7, JSON.stringify(missing));
  });

  it('reads numbers and the text the editor saves, spaces around it allowed', function () {
    assert.equal(numberOrDefault(0, 7), 0);
    assert.equal(numberOrDefault('0', 7), 0);
    assert.equal(numberOrDefault(' 2.5 ', 7), 2.5);
    assert.equal(numberOrDefault('1e3', 7), 1000);
  });

  it('gives NaN for text that is not a number, for the caller to refuse by name', function () {
    for (const text of ['abc', '3 fps', '1,5']) assert.ok(Number.isNaN(numberOrDefault(text, 7)), text);
  });
});
