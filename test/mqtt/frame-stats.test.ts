import assert from 'node:assert/strict';
import { FrameStats, percentile } from '../../src/mqtt';

describe('mqtt/frame-stats', () => {
  it('uses nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 0.5), 50);
    assert.equal(percentile(hundred, 0.95), 95);
    assert.equal(percentile([7], 0.95), 7);
    assert.equal(percentile([], 0.5), undefined);
  });

  it('summarises one interval and starts the next', () => {
    const s = new FrameStats(0);
    for (let i = 1; i <= 20; i++) s.record('porch', i, i / 2, { dropped: 3, depth: 1 });
    s.record('garden', 100, 50, { dropped: 2, depth: 0 });
    const snap = s.snapshot({ queued: 0, dropped: 0, skippedQos0: 0 }, 2000);
    assert.equal(snap.frames, 21);
    assert.equal(snap.fps, 10.5);
    assert.deepEqual(snap.latencyMs, { p50: 11, p95: 20 });
    assert.equal(snap.framesDropped, 5);
    assert.equal(snap.queueDepth, 1);
    assert.deepEqual(snap.sources, ['porch', 'garden']);
    const next = s.snapshot({ queued: 0, dropped: 0, skippedQos0: 0 }, 3000);
    assert.equal(next.frames, 0);
    assert.deepEqual(next.latencyMs, { p50: null, p95: null });
  });
});
