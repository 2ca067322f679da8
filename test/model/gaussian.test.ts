import assert from 'node:assert/strict';
import { expectedClippedGaussian, normalCdf } from '../../src/model/gaussian';

/** E[clip(X, 0, ceiling)] by the midpoint rule over ±12 standard deviations: independent of the closed form. */
function integrate(mean: number, std: number, ceiling: number): number {
  const steps = 200_000;
  const lo = mean - 12 * std;
  const width = (24 * std) / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const x = lo + (i + 0.5) * width;
    const density = Math.exp(-0.5 * ((x - mean) / std) ** 2) / (std * Math.sqrt(2 * Math.PI));
    sum += Math.min(Math.max(x, 0), ceiling) * density * width;
  }
  return sum;
}

describe('gaussian (clipped normal expectations for bias correction)', function () {
  it('normal CDF matches tabulated values', function () {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalCdf(1.959963985) - 0.975) < 1e-7);
    assert.ok(Math.abs(normalCdf(-1) - 0.158655254) < 1e-7);
  });

  for (const [mean, std, ceiling] of [
    [2.9, 5.6, 6],
    [-1.4, 0.3, 6],
    [3.5, 11.8, 6],
    [0.4, 2, Infinity],
    [-2, 1, Infinity],
    [7, 0.5, 6],
  ]) {
    it(`E[clip(N(${mean}, ${std}²), 0, ${ceiling})] matches numerical integration`, function () {
      const expected = integrate(mean, std, ceiling);
      assert.ok(
        Math.abs(expectedClippedGaussian(mean, std, ceiling) - expected) < 1e-5,
        `${expectedClippedGaussian(mean, std, ceiling)} vs ${expected}`,
      );
    });
  }

  it('a zero std is a constant input, clipped', function () {
    assert.equal(expectedClippedGaussian(-1.2, 0, 6), 0);
    assert.equal(expectedClippedGaussian(2.5, 0, 6), 2.5);
    assert.equal(expectedClippedGaussian(8, 0, 6), 6);
  });
});
