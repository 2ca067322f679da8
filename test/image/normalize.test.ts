import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ImageError } from '../../src/image/errors';
import { normalize } from '../../src/image/normalize';
import { prepareImage } from '../../src/image/preprocess';
import { readImage } from '../fixtures';

describe('normalise', function () {
  it('maps 0, 127.5-ish and 255 to -1, ~0 and 1 with scale 1/127.5, offset -1', function () {
    const out = normalize(new Uint8Array([0, 127, 128, 255]), 1 / 127.5, -1);
    assert.ok(out instanceof Float32Array);
    assert.equal(out[0], -1);
    assert.equal(out[3], 1);
    assert.ok(Math.abs(out[1] - (127 / 127.5 - 1)) < 1e-7);
    assert.ok(Math.abs(out[2] - (128 / 127.5 - 1)) < 1e-7);
  });

  it('maps to [0, 1] with scale 1/255, offset 0', function () {
    const out = normalize(new Uint8Array([0, 51, 255]), 1 / 255, 0);
    assert.deepEqual([...out], [0, Math.fround(0.2), 1]);
  });

  it('agrees with the tfjs x/127.5 - 1 the reference outputs were made with, on a real photo', async function () {
    const image = await prepareImage(readImage('parrot.jpg'), { width: 224, height: 224 });
    const ours = normalize(image.rgb, 1 / 127.5, -1);
    // Other test files register the wasm backend too; pin the one this test means.
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const theirs = tf.tidy(() =>
      tf.sub(tf.div(tf.cast(tf.tensor1d(Int32Array.from(image.rgb), 'int32'), 'float32'), 127.5), 1),
    );
    const expected = theirs.dataSync();
    theirs.dispose();
    assert.equal(tf.memory().numTensors, before);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(ours[i] - expected[i]));
    assert.ok(worst <= 2 ** -23, `largest difference ${worst}`);
  });

  it('writes into a given buffer and returns it (one allocation per stream, not per frame)', function () {
    const out = new Float32Array(3);
    assert.equal(normalize(new Uint8Array([255, 0, 255]), 1 / 255, 0, out), out);
    assert.deepEqual([...out], [1, 0, 1]);
  });

  it('refuses an output buffer of the wrong length and non-finite parameters', function () {
    assert.throws(
      () => normalize(new Uint8Array(6), 1, 0, new Float32Array(5)),
      (e: unknown) => e instanceof ImageError && /holds 5 values but the image has 6/.test(e.message),
    );
    assert.throws(() => normalize(new Uint8Array(1), Number.NaN, 0), ImageError);
    assert.throws(() => normalize(new Uint8Array(1), 1, Number.POSITIVE_INFINITY), ImageError);
  });
});
