import { strict as assert } from 'node:assert';
import { makeDivisible, v1Channels } from '../../../src/zoo/architectures';
import { expandArchitecture } from '../../../src/zoo/architectures';

describe('zoo/architectures/channel-rounding', () => {
  it('makeDivisible follows Keras _make_divisible: nearest multiple of 8, at least 8, never 10% below', () => {
    // Worked by hand from max(8, int(v + 4) // 8 * 8), then +8 if below 0.9·v.
    assert.equal(makeDivisible(32), 32);
    assert.equal(makeDivisible(44.8), 48); // V2 α=1.4 first conv
    assert.equal(makeDivisible(11.2), 16); // V2 α=0.35 first conv: 8 is more than 10% below 11.2
    assert.equal(makeDivisible(5), 8);
    assert.equal(makeDivisible(33), 32);
    assert.equal(makeDivisible(36), 40); // int(40) // 8 * 8: halves round up
    assert.equal(makeDivisible(1792), 1792);
  });

  it('V1 truncates like Keras int(filters * alpha), keeping at least one channel', () => {
    assert.equal(v1Channels(32, 0.75), 24);
    assert.equal(v1Channels(1024, 0.35), 358);
    assert.equal(v1Channels(32, 1.4), 44);
    assert.equal(v1Channels(32, 0.01), 1);
  });

  it('V2 keeps the last conv at 1280 for α ≤ 1 and widens it above (Keras and the paper)', () => {
    const last = (alpha: number) =>
      expandArchitecture({ arch: 'v2', alpha, resolution: 224, classes: 1000 }).layers.find((l) => l.name === 'Conv_1')!
        .output[2];
    assert.equal(last(0.35), 1280);
    assert.equal(last(1), 1280);
    assert.equal(last(1.4), 1792);
  });
});
