import assert from 'node:assert/strict';
import type { NodeStatus } from '../../../nodes/shared/red-api';
import { StatusThrottle, errorStatus, loadingStatus, readyStatus } from '../../../nodes/shared/status';

const t = (key: string, subs: Record<string, string | number> = {}): string =>
  ({
    'status.ready': 'ready',
    'status.loading': 'loading model',
    'status.downloading': `downloading ${subs.percent}%`,
    'status.dropped': `${subs.count} dropped`,
  })[key] ?? key;

describe('node status helpers', function () {
  it('formats loading, download, ready and error states', function () {
    assert.deepEqual(loadingStatus(t), { fill: 'yellow', shape: 'ring', text: 'loading model' });
    assert.deepEqual(loadingStatus(t, { percent: 42 }), { fill: 'yellow', shape: 'ring', text: 'downloading 42%' });
    assert.deepEqual(readyStatus(t, { fps: 12.34, latencyMs: 45.4, dropped: 0 }), {
      fill: 'green',
      shape: 'dot',
      text: 'ready · 12.3 fps · 45 ms · 0 dropped',
    });
    assert.deepEqual(readyStatus(t, { dropped: 3 }), { fill: 'yellow', shape: 'dot', text: 'ready · 3 dropped' });
    const long = errorStatus('x'.repeat(100));
    assert.equal(long.fill, 'red');
    assert.equal(long.text!.length, 58);
  });

  it('throttles to one update per interval and always lands the latest', async function () {
    const seen: Array<{ at: number; text?: string }> = [];
    const start = Date.now();
    const throttle = new StatusThrottle((s: NodeStatus) => seen.push({ at: Date.now() - start, text: s.text }), 100);
    for (let i = 0; i < 50; i++) {
      throttle.update(() => ({ text: `frame ${i}` }));
      await new Promise((r) => setTimeout(r, 5));
    }
    const elapsed = Date.now() - start;
    await new Promise((r) => setTimeout(r, 150));
    // A busy machine stretches the loop; the bound is one update per started 100 ms, plus the trailing one.
    assert.ok(
      seen.length >= 2 && seen.length <= Math.ceil(elapsed / 100) + 1,
      `${seen.length} updates in ${elapsed} ms at one per 100 ms`,
    );
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].at - seen[i - 1].at >= 95, JSON.stringify(seen));
    assert.equal(seen.at(-1)!.text, 'frame 49');
    throttle.update(() => ({ text: 'late' }));
    throttle.now({ text: 'error' });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(seen.at(-1)!.text, 'error', 'a state change cancels the pending update');
  });
});
