import { strict as assert } from 'node:assert';
import { prototypeAccuracy } from '../../src/measure/frames-accuracy';
import { type Candidate, recommend } from '../../src/measure/recommend';

function candidate(name: string, latencyMs: number, accuracy: number): Candidate {
  return { name, engine: 'tfjs', precision: 'float', latencyMs, accuracy, accuracySource: 'published ImageNet top-1' };
}

describe('measure: tune decisions', function () {
  it('picks the most accurate model within the budget and at most 70% busy at the frame rate', function () {
    const candidates = [candidate('small', 10, 40), candidate('mid', 40, 60), candidate('large', 90, 70)];
    // 100 ms budget at 10 fps: large is 90% busy, mid 40%.
    assert.equal(recommend(candidates, 100, 10).chosen?.name, 'mid');
    // Without a frame rate the budget is the interval: 70 ms of 100.
    assert.equal(recommend(candidates, 100).chosen?.name, 'mid');
    assert.equal(recommend(candidates, 200).chosen?.name, 'large');
    assert.equal(recommend(candidates, 5).chosen, undefined);
    assert.deepEqual(
      recommend(candidates, 100, 10).rows.map((row) => [row.name, row.fits]),
      [
        ['large', false],
        ['mid', true],
        ['small', true],
      ],
    );
  });

  it('scores held-out frames by their nearest class prototype', function () {
    const unit = (x: number, y: number) => {
      const n = Math.hypot(x, y);
      return Float32Array.from([x / n, y / n]);
    };
    const apart = new Map([
      ['a', [unit(1, 0.1), unit(1, 0), unit(1, -0.1), unit(0.9, 0.1)]],
      ['b', [unit(0.1, 1), unit(0, 1), unit(-0.1, 1), unit(0.1, 0.9)]],
    ]);
    const separated = prototypeAccuracy(apart);
    assert.equal(separated.accuracy, 1);
    assert.equal(separated.shots, 2);
    assert.equal(separated.heldOut, 4);
    // Each class's frames lie nearer the other class's prototype than some of their own: not all right.
    const mixed = new Map([
      ['a', [unit(1, 0), unit(0, 1)]],
      ['b', [unit(1, 0.05), unit(0.05, 1)]],
    ]);
    assert.ok(prototypeAccuracy(mixed).accuracy < 1);
  });
});
