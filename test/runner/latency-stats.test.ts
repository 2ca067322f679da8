import assert from 'node:assert/strict';
import { LatencyWindow, RateMeter } from '../../src/runner/latency-stats';

describe('runner/latency-stats', function () {
  it('RateMeter: frames 1 s apart are 1 fps, also for the first few frames and at slow rates', function () {
    const meter = new RateMeter(10_000);
    meter.tick(0);
    assert.equal(meter.rate(500), 0, 'one frame gives no rate yet');
    meter.tick(1000);
    assert.equal(meter.rate(1000), 1);
    meter.tick(2000);
    assert.equal(meter.rate(2000), 1);

    const slow = new RateMeter(10_000);
    for (const t of [0, 5000, 10000]) slow.tick(t); // a snapshot every 5 s
    assert.equal(slow.rate(10000), 0.2);
  });

  it('RateMeter: steady 2 fps reads 2 fps whatever the moment it is asked', function () {
    const meter = new RateMeter(10_000);
    for (let t = 0; t <= 30_000; t += 500) meter.tick(t);
    assert.equal(meter.rate(30_000), 2);
    assert.equal(meter.rate(30_250), 2);
  });

  it('RateMeter: falls to 0 once frames stop for a whole window', function () {
    const meter = new RateMeter(10_000);
    for (let t = 0; t <= 5000; t += 500) meter.tick(t);
    assert.equal(meter.rate(16_000), 0);
  });

  it('LatencyWindow: nearest-rank percentiles over the most recent samples only', function () {
    const window = new LatencyWindow(4);
    assert.equal(window.percentile(50), undefined);
    for (const ms of [100, 1, 2, 3, 4]) window.add(ms); // 100 falls out of the window
    assert.equal(window.percentile(50), 2);
    assert.equal(window.percentile(95), 4);
  });
});
