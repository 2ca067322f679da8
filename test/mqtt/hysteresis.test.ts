import assert from 'node:assert/strict';
import { MqttConfigError } from '../../src/mqtt/errors';
import { LabelHysteresis, validateWatchedLabel } from '../../src/mqtt/hysteresis';
import { scoreOf } from '../../src/mqtt/label-frame';
import { referencePredictions } from './helpers/reference-frames';

describe('mqtt/hysteresis', () => {
  const predictions = referencePredictions();
  // Real scores of "tabby, tabby cat" on the fixture photos: cat_720p 0.311, chelsea 0.145, owl 0.
  const tabby = (photo: string): number => scoreOf(predictions.get(photo)!, 'tabby, tabby cat');

  it('reads a watched label score from real predictions, 0 when outside top-K', () => {
    assert.ok(tabby('cat_720p.jpg') > 0.3 && tabby('cat_720p.jpg') < 0.32);
    assert.ok(tabby('chelsea.png') > 0.14 && tabby('chelsea.png') < 0.15);
    assert.equal(tabby('owl.jpg'), 0);
  });

  it('switches ON after N consecutive strong frames, not on an isolated one', () => {
    const h = new LabelHysteresis(
      validateWatchedLabel({ label: 'tabby, tabby cat', onThreshold: 0.3, offThreshold: 0.1, onFrames: 3, holdMs: 0 }),
    );
    const seq = ['cat_720p.jpg', 'cat_720p.jpg', 'owl.jpg', 'cat_720p.jpg', 'cat_720p.jpg', 'cat_720p.jpg'];
    assert.deepEqual(
      seq.map((p, i) => h.update(tabby(p), i * 100) ?? '-'),
      ['-', '-', '-', '-', '-', 'ON'],
    );
  });

  it('stays ON between the thresholds and switches OFF only after the hold time below off', () => {
    const h = new LabelHysteresis(
      validateWatchedLabel({
        label: 'tabby, tabby cat',
        onThreshold: 0.3,
        offThreshold: 0.1,
        onFrames: 1,
        holdMs: 500,
      }),
    );
    assert.equal(h.update(tabby('cat_720p.jpg'), 0), 'ON');
    // chelsea (0.145) is under on but over off: still ON however long it lasts.
    assert.equal(h.update(tabby('chelsea.png'), 100), undefined);
    assert.equal(h.update(tabby('chelsea.png'), 5000), undefined);
    assert.equal(h.update(tabby('owl.jpg'), 5100), undefined);
    assert.equal(h.update(tabby('chelsea.png'), 5300), undefined); // back above off: hold restarts
    assert.equal(h.update(tabby('owl.jpg'), 5400), undefined);
    assert.equal(h.update(tabby('owl.jpg'), 5899), undefined);
    assert.equal(h.update(tabby('owl.jpg'), 5900), 'OFF');
    assert.equal(h.state, 'OFF');
  });

  it('rejects thresholds that cannot work, naming the valid range', () => {
    assert.throws(
      () => validateWatchedLabel({ label: 'cat', onThreshold: 1.5 }),
      /onThreshold must be a number from 0 to 1/,
    );
    assert.throws(
      () => validateWatchedLabel({ label: 'cat', onThreshold: 0.3, offThreshold: 0.5 }),
      /must not exceed onThreshold/,
    );
    assert.throws(() => validateWatchedLabel({ label: 'cat', onFrames: 0 }), /onFrames must be an integer >= 1/);
    assert.throws(() => validateWatchedLabel({ label: '' }), MqttConfigError);
  });
});
