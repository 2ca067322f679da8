import assert from 'node:assert/strict';
import { FrameStats, percentile } from '../../src/mqtt/frame-stats';
import { referenceFrame } from './helpers/reference-frames';

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

  it('counts a classifier queue once when several sources share it (the main job: folder and POST /classify)', () => {
    // Two classify nodes on one model config node report the same cumulative queue counters.
    const s = new FrameStats(0);
    const frames = [
      referenceFrame('parrot.jpg', 1, 100, 'frames'),
      referenceFrame('coffee.png', 1, 200, 'http'),
      referenceFrame('owl.jpg', 2, 300, 'frames'),
    ];
    frames[0].queue = { dropped: 4, depth: 1 };
    frames[1].queue = { dropped: 6, depth: 2 };
    frames[2].queue = { dropped: 7, depth: 0, heldForOrder: 3 };
    for (const f of frames) s.record(f.source!, f.timings?.totalMs, f.timings?.inferenceMs, f.queue, f.model);
    const snap = s.snapshot({ queued: 0, dropped: 0, skippedQos0: 0 }, 1000);
    assert.equal(snap.framesDropped, 7, 'the newest cumulative count of the one queue, not a sum over sources');
    assert.equal(snap.queueDepth, 0);
    assert.equal(snap.framesHeldForOrder, 3, 'results held back for order, as the classifier counted them');
    assert.deepEqual(snap.sources, ['frames', 'http']);
  });
});
