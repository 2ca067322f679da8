import assert from 'node:assert/strict';
import { inputConverter } from '../../src/engine/litert/input-converter';
import { realValues } from '../../src/engine/model-input';
import type { QuantGrid } from '../../src/model/graph';
import { MINUS_ONE_TO_ONE, type Normalization } from '../../src/model/normalization';

/** Every pixel value, in each of the three channels' positions. */
const ALL_PIXELS = Uint8Array.from({ length: 256 * 3 }, (_, i) => i % 256);

const GRIDS: Array<[string, QuantGrid]> = [
  ['the V1/V2 uint8 fixtures (1/128, zero point 128)', { scale: 0.0078125, zeroPoint: 128, qmin: 0, qmax: 255 }],
  ['an odd grid that clamps both ends', { scale: 0.0061, zeroPoint: 97, qmin: 0, qmax: 255 }],
  ['a restricted range', { scale: 1 / 255, zeroPoint: 0, qmin: 10, qmax: 250 }],
];

const NORMALIZATIONS: Array<[string, Normalization]> = [
  ['[-1, 1]', MINUS_ONE_TO_ONE],
  ['[0, 1]', { scale: 1 / 255, offset: 0 }],
  ['an odd one', { scale: 0.00731, offset: -0.37 }],
];

describe('LiteRT.js input: a frame’s pixels looked up equal the same pixels normalised then quantised', function () {
  for (const [gridName, grid] of GRIDS) {
    for (const [normalizationName, normalization] of NORMALIZATIONS) {
      it(`all 256 values, ${normalizationName} onto ${gridName}`, function () {
        const convert = inputConverter('uint8', grid);
        const frame = { rgb: ALL_PIXELS, normalization };
        assert.deepEqual(convert(frame), convert(realValues(frame)));
      });
    }
  }

  it('rounds as the float32 normalised value does where a pixel lands on half a step', function () {
    // Pixel 64 normalised is 1/510 in doubles (half of a 1/255 step, rounds to 0) but a little more in float32,
    // as normalize stores it (rounds to 1): the table must follow float32.
    const convert = inputConverter('uint8', { scale: 1 / 255, zeroPoint: 0, qmin: 0, qmax: 255 });
    const frame = { rgb: ALL_PIXELS, normalization: { scale: 1 / 127.5, offset: -0.5 } };
    const looked = convert(frame);
    assert.deepEqual(looked, convert(realValues(frame)));
    assert.equal(looked[64], 1);
  });

  it('makes the table again when the normalisation changes', function () {
    const convert = inputConverter('uint8', GRIDS[0][1]);
    const asMinusOneToOne = convert({ rgb: ALL_PIXELS, normalization: MINUS_ONE_TO_ONE });
    const zeroToOne = { rgb: ALL_PIXELS, normalization: NORMALIZATIONS[1][1] };
    assert.deepEqual(convert(zeroToOne), convert(realValues(zeroToOne)));
    assert.notDeepEqual(convert(zeroToOne), asMinusOneToOne);
  });

  it('hands a float32 input the normalised pixels', function () {
    const frame = { rgb: ALL_PIXELS, normalization: MINUS_ONE_TO_ONE };
    const values = inputConverter('float32', undefined)(frame);
    assert.ok(values instanceof Float32Array);
    assert.equal(values[0], -1);
    assert.equal(values[255], 1);
  });

  it('refuses an input type LiteRT.js cannot pass in, naming it', function () {
    assert.throws(() => inputConverter('int8', GRIDS[0][1]), /this model's input is int8/);
  });
});
