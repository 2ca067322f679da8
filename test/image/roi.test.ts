import * as assert from 'node:assert/strict';
import { ImageError } from '../../src/image/errors';
import { resolveRoi } from '../../src/image/roi';

describe('resolveRoi', function () {
  it('reads values all ≤ 1 as fractions of the frame', function () {
    assert.deepEqual(resolveRoi({ x: 0, y: 0, width: 1, height: 1 }, 640, 480), {
      left: 0,
      top: 0,
      width: 640,
      height: 480,
    });
    assert.deepEqual(resolveRoi({ x: 0.5, y: 0.25, width: 0.5, height: 0.5 }, 640, 480), {
      left: 320,
      top: 120,
      width: 320,
      height: 240,
    });
  });

  it('reads a region as pixels as soon as one value exceeds 1', function () {
    assert.deepEqual(resolveRoi({ x: 0, y: 0, width: 2, height: 1 }, 640, 480), {
      left: 0,
      top: 0,
      width: 2,
      height: 1,
    });
    assert.deepEqual(resolveRoi({ x: 10.4, y: 20.6, width: 100, height: 50 }, 640, 480), {
      left: 10,
      top: 21,
      width: 100,
      height: 50,
    });
  });

  it('keeps a sub-pixel fraction as at least one pixel, inside the frame', function () {
    assert.deepEqual(resolveRoi({ x: 0.9999, y: 0, width: 0.0001, height: 0.001 }, 640, 480), {
      left: 639,
      top: 0,
      width: 1,
      height: 1,
    });
  });

  it('accepts a region touching the far edges and refuses one pixel more', function () {
    assert.deepEqual(resolveRoi({ x: 540, y: 380, width: 100, height: 100 }, 640, 480), {
      left: 540,
      top: 380,
      width: 100,
      height: 100,
    });
    assert.throws(
      () => resolveRoi({ x: 541, y: 380, width: 100, height: 100 }, 640, 480),
      (e: unknown) => e instanceof ImageError && e.code === 'INVALID_ROI' && /640×480/.test(e.message),
    );
  });

  it('refuses missing, infinite and negative values', function () {
    for (const roi of [
      { x: 0, y: 0, width: 10 },
      { x: 0, y: 0, width: Infinity, height: 1 },
      { x: 0, y: -0.1, width: 0.5, height: 0.5 },
      null,
    ]) {
      assert.throws(
        () => resolveRoi(roi, 640, 480),
        (e: unknown) => e instanceof ImageError && e.code === 'INVALID_ROI',
        JSON.stringify(roi),
      );
    }
  });
});
