import assert from 'node:assert/strict';
import { kernelsToWiden } from '../../src/model/precision-budget';

describe('precision budget (uint16 kernels inside a uint8 size promise)', function () {
  const kernels = [
    { name: 'big', elements: 1000 },
    { name: 'small', elements: 10 },
    { name: 'mid', elements: 100 },
    { name: 'tiny', elements: 5 },
  ];

  it('widens the smallest kernels first while the shrink stays at or above the promise', function () {
    // float32 before: 1115 weights × 4 + 40 other bytes = 4500. uint8: 1115 + 40 = 1155 bytes.
    // 4500 / 3.5 = 1285.7 bytes allowed: tiny (+5), small (+10), mid (+100) = 1270 fit; big does not.
    assert.deepEqual([...kernelsToWiden(kernels, 4500, 40, 3.5)], ['tiny', 'small', 'mid']);
  });

  it('stops at the first kernel that does not fit', function () {
    // 4500 / 3.85 = 1168.8 bytes: tiny (1160) fits, small (1170) does not, so neither does anything larger.
    assert.deepEqual([...kernelsToWiden(kernels, 4500, 40, 3.85)], ['tiny']);
  });

  it('widens nothing when uint8 alone is at the limit', function () {
    assert.equal(kernelsToWiden(kernels, 4500, 40, 4500 / 1155).size, 0);
  });
});
