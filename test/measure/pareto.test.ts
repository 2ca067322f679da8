import { strict as assert } from 'node:assert';
import { paretoFront } from '../../src/measure/pareto';
import { percentile, spread } from '../../src/measure/stats';

describe('measure: Pareto front and percentiles', function () {
  it('keeps the models no other model beats on both latency and accuracy, fastest first', function () {
    const points = [
      { name: 'a', latencyMs: 10, top1: 50 },
      { name: 'b', latencyMs: 12, top1: 48 }, // slower and less accurate than a
      { name: 'c', latencyMs: 20, top1: 60 },
      { name: 'd', latencyMs: 20, top1: 55 }, // same latency as c, less accurate
      { name: 'e', latencyMs: 5, top1: 40 },
      { name: 'f', latencyMs: 40, top1: 60 }, // as accurate as c, slower
    ];
    assert.deepEqual(
      paretoFront(points).map((p) => p.name),
      ['e', 'a', 'c'],
    );
  });

  it('interpolates percentiles between ranks', function () {
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9.1);
    assert.deepEqual(spread([5]), { median: 5, p90: 5 });
  });
});
