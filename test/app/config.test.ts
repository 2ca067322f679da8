import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readConfig } from '../../app/config';

describe('npm start configuration (environment variables)', () => {
  it('reads MAX_FPS as a frame-rate cap, 0 meaning no cap', () => {
    assert.equal(readConfig({}, '/srv').maxFps, 2);
    assert.equal(readConfig({ MAX_FPS: '0.5' }, '/srv').maxFps, 0.5);
    assert.equal(readConfig({ MAX_FPS: '0' }, '/srv').maxFps, 0);
    assert.deepEqual(readConfig({}, '/srv').camera, { kind: 'folder', dir: path.resolve('/srv', 'frames') });
  });

  it('refuses a MAX_FPS that is not a number >= 0 at start, naming the variable and what is valid', () => {
    // Unchecked, "fast" became NaN, null in flows.json, and a camera node failing with a TypeError.
    for (const value of ['fast', '-1', '2fps', 'Infinity']) {
      assert.throws(
        () => readConfig({ MAX_FPS: value }, '/srv'),
        (err: Error) => {
          assert.match(err.message, /^MAX_FPS must be a number >= 0 \(frames per second; 0 means no cap\), got "/);
          assert.ok(err.message.includes(`"${value}"`), err.message);
          return true;
        },
      );
    }
  });

  it('serves the login-less editor to this machine only unless EDITOR_REMOTE=1', () => {
    assert.equal(readConfig({}, '/srv').editorRemote, false);
    assert.equal(readConfig({ EDITOR_REMOTE: '1' }, '/srv').editorRemote, true);
    assert.equal(readConfig({ EDITOR_REMOTE: 'no' }, '/srv').editorRemote, false);
  });
});
