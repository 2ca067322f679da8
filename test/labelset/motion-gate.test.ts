import assert from 'node:assert/strict';
import { greyFrame } from '../../src/labelset/motion-frame';
import { MotionGate, resolveMotionOptions } from '../../src/labelset/motion-gate';
import { imagePath } from '../fixtures';
import { REGION, sceneFrame } from './scene';

describe('motion gate on real photos', () => {
  const size = 64;
  const grey = (jpeg: Buffer) => greyFrame(jpeg, REGION, size);

  it('classifies the first frame, then skips the same scene encoded at another JPEG quality', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0 });
    const first = await grey(await sceneFrame('apple', { quality: 90 }));
    assert.equal(gate.decide(first, 0, false).reason, 'first');
    gate.classified(first, 0, 'first');
    const again = gate.decide(await grey(await sceneFrame('apple', { quality: 60 })), 1000, false);
    assert.equal(again.reason, undefined);
    assert.ok(again.changedArea < 0.02, `encoder noise changed ${again.changedArea} of the region`);
  });

  it('opens when the other photo is pasted into the region', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0 });
    const apple = await grey(await sceneFrame('apple'));
    gate.classified(apple, 0, 'first');
    const decision = gate.decide(await grey(await sceneFrame('banana')), 1000, false);
    assert.equal(decision.reason, 'motion');
    assert.ok(decision.changedArea > 0.2, `only ${decision.changedArea} of the region changed`);
  });

  it('ignores a change outside the region and a slight change of light', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0 });
    gate.classified(await grey(await sceneFrame('apple')), 0, 'first');
    const outside = gate.decide(await grey(await sceneFrame('apple', { outside: imagePath('owl.jpg') })), 1, false);
    assert.equal(outside.reason, undefined);
    assert.equal(outside.changedArea, 0);
    const cloud = gate.decide(await grey(await sceneFrame('apple', { brightness: 1.05 })), 2, false);
    assert.equal(cloud.reason, undefined, `a 5% brightness change moved ${cloud.changedArea} of the region`);
  });

  it('sees the change outside the region when the region is the whole frame', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0 });
    gate.classified(await greyFrame(await sceneFrame('apple'), undefined, size), 0, 'first');
    const frame = await greyFrame(await sceneFrame('apple', { outside: imagePath('owl.jpg') }), undefined, size);
    assert.equal(gate.decide(frame, 1, false).reason, 'motion');
  });

  it('classifies a still region once per heartbeat, and the settle frames after motion', async () => {
    const gate = new MotionGate({ heartbeatMs: 10_000, settleFrames: 2 });
    const apple = await grey(await sceneFrame('apple'));
    const banana = await grey(await sceneFrame('banana'));
    gate.classified(apple, 0, 'first');
    const reasons: Array<string | undefined> = [];
    const step = (frame: typeof apple, ts: number): void => {
      const { reason } = gate.decide(frame, ts, false);
      reasons.push(reason);
      if (reason) gate.classified(frame, ts, reason);
    };
    step(apple, 1000);
    step(apple, 2000);
    step(banana, 3000);
    step(banana, 4000);
    step(banana, 5000);
    step(banana, 6000);
    step(banana, 15_000);
    step(banana, 16_000);
    assert.deepEqual(reasons, ['settle', 'settle', 'motion', 'settle', 'settle', undefined, 'heartbeat', undefined]);
  });

  it('stays open while a new state collects its votes', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0 });
    const apple = await grey(await sceneFrame('apple'));
    gate.classified(apple, 0, 'motion');
    assert.equal(gate.decide(apple, 1, true).reason, 'confirm');
    assert.equal(gate.decide(apple, 2, false).reason, undefined);
  });

  it('stops confirming after its budget of frames until the next trigger', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0 }, 2);
    const apple = await grey(await sceneFrame('apple'));
    gate.classified(apple, 0, 'first');
    const reasons = [1, 2, 3].map((ts) => {
      const { reason } = gate.decide(apple, ts, true);
      if (reason) gate.classified(apple, ts, reason);
      return reason;
    });
    assert.deepEqual(reasons, ['confirm', 'confirm', undefined]);
  });

  it('with minChangedArea 0 (the gate off) classifies every frame, even one identical to the last', async () => {
    const gate = new MotionGate({ heartbeatMs: 0, settleFrames: 0, minChangedArea: 0 });
    const apple = await grey(await sceneFrame('apple'));
    gate.classified(apple, 0, 'first');
    const decision = gate.decide(apple, 1000, false);
    assert.deepEqual(decision, { reason: 'motion', changedArea: 0 });
  });

  it('refuses options out of range with the option named', () => {
    assert.throws(
      () => resolveMotionOptions({ pixelThreshold: 300 }),
      /pixelThreshold must be a number from 0 to 255, got 300/,
    );
    assert.throws(() => resolveMotionOptions({ minChangedArea: -0.1 }), /minChangedArea/);
    assert.throws(() => resolveMotionOptions({ size: 2.5 }), /size must be an integer/);
    assert.throws(() => resolveMotionOptions({ heartbeatMs: Number.NaN }), /heartbeatMs/);
    assert.deepEqual(resolveMotionOptions({ heartbeatMs: undefined }).heartbeatMs, 60_000);
  });
});
