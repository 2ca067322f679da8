import assert from 'node:assert/strict';
import { loadingStatus, readyStatus } from '../../../nodes/mobilenet-classify/classify-status';
import { failInput } from '../../../nodes/shared/fail-input';
import type { NodeStatus } from '../../../nodes/shared/red-api';
import { connectionStatus, STATUS_TEXT_MAX, StatusThrottle, status } from '../../../nodes/shared/status';

const t = (key: string, subs: Record<string, string | number> = {}): string =>
  ({
    'status.ready': 'ready',
    'status.loading': 'loading model',
    'status.downloading': `downloading ${subs.percent}%`,
    'status.dropped': `${subs.count} dropped`,
    'node-red:common.status.connected': 'connected',
    'node-red:common.status.disconnected': 'disconnected',
  })[key] ?? key;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('node status kit', function () {
  it('says each state with one fill and shape, and cuts every text by one rule', function () {
    assert.deepEqual(status.pending('starting'), { fill: 'yellow', shape: 'ring', text: 'starting' });
    assert.deepEqual(status.working('running'), { fill: 'green', shape: 'dot', text: 'running' });
    assert.deepEqual(status.workingWithWarning('3 dropped'), { fill: 'yellow', shape: 'dot', text: '3 dropped' });
    assert.deepEqual(status.failed('no broker'), { fill: 'red', shape: 'ring', text: 'no broker' });
    assert.deepEqual(status.stopped('stopped'), { fill: 'grey', shape: 'ring', text: 'stopped' });
    for (const make of Object.values(status)) {
      const exact = make('x'.repeat(STATUS_TEXT_MAX)).text!;
      assert.equal(exact, 'x'.repeat(STATUS_TEXT_MAX), 'a text that fits is left whole');
      const long = make('y'.repeat(STATUS_TEXT_MAX + 50)).text!;
      assert.equal(long.length, STATUS_TEXT_MAX);
      assert.ok(long.endsWith('…'));
    }
  });

  it("says a connection in Node-RED's shared words, details after it", function () {
    assert.deepEqual(connectionStatus({ _: t }, 'connected'), { fill: 'green', shape: 'dot', text: 'connected' });
    assert.deepEqual(connectionStatus({ _: t }, 'disconnected', ['12 queued']), {
      fill: 'yellow',
      shape: 'ring',
      text: 'disconnected · 12 queued',
    });
  });

  it('formats the classify node loading, download and ready states', function () {
    assert.deepEqual(loadingStatus(t), { fill: 'yellow', shape: 'ring', text: 'loading model' });
    assert.deepEqual(loadingStatus(t, { percent: 42 }), { fill: 'yellow', shape: 'ring', text: 'downloading 42%' });
    assert.deepEqual(readyStatus(t, { fps: 12.34, latencyMs: 45.4, dropped: 0 }), {
      fill: 'green',
      shape: 'dot',
      text: 'ready · 12.3 fps · 45 ms · 0 dropped',
    });
    assert.deepEqual(readyStatus(t, { dropped: 3 }), { fill: 'yellow', shape: 'dot', text: 'ready · 3 dropped' });
  });

  it('throttles to one update per interval and always lands the latest', async function () {
    const seen: Array<{ at: number; text?: string }> = [];
    const start = Date.now();
    const throttle = new StatusThrottle((s: NodeStatus) => seen.push({ at: Date.now() - start, text: s.text }), 100);
    for (let i = 0; i < 50; i++) {
      throttle.update(() => ({ text: `frame ${i}` }));
      await sleep(5);
    }
    const elapsed = Date.now() - start;
    await sleep(150);
    // A busy machine stretches the loop; the bound is one update per started 100 ms, plus the trailing one.
    assert.ok(
      seen.length >= 2 && seen.length <= Math.ceil(elapsed / 100) + 1,
      `${seen.length} updates in ${elapsed} ms at one per 100 ms`,
    );
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].at - seen[i - 1].at >= 95, JSON.stringify(seen));
    assert.equal(seen.at(-1)!.text, 'frame 49');
    throttle.update(() => ({ text: 'late' }));
    throttle.now({ text: 'error' });
    await sleep(150);
    assert.equal(seen.at(-1)!.text, 'error', 'a state change cancels the pending update');
  });

  it('sends no throttled update that shows what is already shown; clear() empties the status', async function () {
    const seen: NodeStatus[] = [];
    const throttle = new StatusThrottle((s) => seen.push(s), 20);
    throttle.now(status.working('running'));
    for (let i = 0; i < 3; i++) {
      throttle.update(() => status.working('running'));
      await sleep(30);
    }
    assert.deepEqual(seen, [status.working('running')]);
    throttle.update(() => status.working('later'));
    throttle.clear();
    await sleep(30);
    assert.deepEqual(seen.at(-1), {}, 'the pending update is dropped');
  });

  it('fails an input one way: the reason as a red status, and done(err) with an Error', async function () {
    const seen: NodeStatus[] = [];
    const throttle = new StatusThrottle((s) => seen.push(s), 20);
    const done: Array<Error | undefined> = [];
    const bad = new RangeError('msg.payload must be "start" or "stop"');
    failInput(throttle, (err) => done.push(err), bad);
    failInput(throttle, (err) => done.push(err), 'a thrown string');
    await sleep(30);
    assert.equal(done[0], bad, 'the error itself, class kept');
    assert.ok(done[1] instanceof Error && done[1].message === 'a thrown string');
    assert.deepEqual(seen.at(-1), status.failed('a thrown string'));
  });
});
