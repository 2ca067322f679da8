import assert from 'node:assert/strict';
import {
  FRAME_CONTENT_TYPE,
  FrameMessageError,
  frameProperties,
  frameTopic,
  readFrameMessage,
} from '../../src/mqtt/frame-message';
import { isNewerFrame, stampFromProperties, stampProperties } from '../../src/mqtt/frame-order';
import { readImage } from '../fixtures';

const jpeg = readImage('parrot.jpg');
const limits = { maxBytes: 1 << 20, maxAgeMs: 10_000, now: 1_700_000_010_000 };
const props = (seq: string, ts: string) => ({ contentType: FRAME_CONTENT_TYPE, userProperties: { seq, ts } });

function refusal(run: () => unknown): FrameMessageError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FrameMessageError, `a FrameMessageError, got ${String(error)}`);
    return error;
  }
  assert.fail('the frame was accepted');
}

describe('frame messages (<prefix>/<source>/frame, MQTT 5 seq/ts)', function () {
  it('names the topic after the prefix and the source, as the label topics do', function () {
    assert.equal(frameTopic('cams', 'Front Door'), 'cams/front_door/frame');
    assert.equal(frameTopic('site/a', 'gate'), 'site/a/gate/frame');
    assert.deepEqual(frameProperties(7, 1_700_000_000_000.4), {
      contentType: 'image/jpeg',
      userProperties: { seq: '7', ts: '1700000000000' },
    });
  });

  it('reads source, seq, ts and the bytes of a frame', function () {
    const frame = readFrameMessage('cams/gate/frame', jpeg, props('41', '1700000005000'), limits);
    assert.deepEqual(
      { source: frame.source, seq: frame.seq, ts: frame.ts, same: frame.jpeg === jpeg },
      { source: 'gate', seq: 41, ts: 1_700_000_005_000, same: true },
    );
  });

  it('refuses a frame over the size bound before looking at anything else', function () {
    const big = Buffer.alloc(limits.maxBytes + 1);
    assert.equal(refusal(() => readFrameMessage('x/frame', big, undefined, limits)).reason, 'too-large');
  });

  it('drops a frame older than the maximum age, and takes any age with no limit', function () {
    const old = props('1', String(limits.now - 10_001));
    const error = refusal(() => readFrameMessage('cams/gate/frame', jpeg, old, limits));
    assert.equal(error.reason, 'too-old');
    assert.match(error.message, /10001 ms old, over the limit of 10000 ms/);
    assert.equal(readFrameMessage('cams/gate/frame', jpeg, old, { ...limits, maxAgeMs: 0 }).seq, 1);
  });

  it('refuses frames that do not follow the contract, saying what is missing', function () {
    const cases: Array<[string, Buffer, Parameters<typeof readFrameMessage>[2], RegExp]> = [
      ['cams/gate/frame', jpeg, { userProperties: { ts: '1' } }, /user property "seq"/],
      ['cams/gate/frame', jpeg, props('1', 'yesterday'), /user property "ts"/],
      ['cams/gate/frame', jpeg, props('-1', '1'), /user property "seq"/],
      ['cams/gate/frame', jpeg, { ...props('1', '1'), contentType: 'image/png' }, /content type "image\/png"/],
      ['cams/gate/labels', jpeg, props('1', '1'), /not a frame topic/],
      ['cams/gate/frame', Buffer.alloc(0), props('1', '1'), /empty/],
    ];
    for (const [topic, payload, properties, message] of cases) {
      const error = refusal(() => readFrameMessage(topic, payload, properties, { ...limits, maxAgeMs: 0 }));
      assert.equal(error.reason, 'malformed');
      assert.match(error.message, message);
    }
  });
});

describe('frame order (a late result never overwrites a newer one)', function () {
  it('orders by capture time, then by seq at the same millisecond', function () {
    assert.equal(isNewerFrame({ ts: 2, seq: 0 }, { ts: 1, seq: 99 }), true, 'a restarted camera counts from 0 again');
    assert.equal(isNewerFrame({ ts: 1, seq: 5 }, { ts: 1, seq: 4 }), true);
    assert.equal(isNewerFrame({ ts: 1, seq: 4 }, { ts: 1, seq: 4 }), false, 'the same frame is not newer');
    assert.equal(isNewerFrame({ ts: 1 }, { ts: 2 }), false);
  });

  it('travels as MQTT 5 user properties', function () {
    assert.deepEqual(stampFromProperties(stampProperties({ ts: 5, seq: 3 })), { ts: 5, seq: 3 });
    assert.deepEqual(stampFromProperties({ ts: '5' }), { ts: 5 });
    assert.equal(stampFromProperties({ seq: '5' }), undefined);
    assert.equal(stampFromProperties(undefined), undefined);
  });
});
