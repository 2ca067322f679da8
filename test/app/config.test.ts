import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readConfig } from '../../app/config';
import { buildFlow } from '../../app/flow';
import { defaultWorkers } from '../../src';

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

  it('reads MOBILENET_WORKERS into the model node of the flow; blank means one per core but one', () => {
    assert.equal(readConfig({}, '/srv').workers, defaultWorkers());
    assert.equal(readConfig({ MOBILENET_WORKERS: ' ' }, '/srv').workers, defaultWorkers());
    const config = readConfig({ MOBILENET_WORKERS: '2' }, '/srv');
    assert.equal(config.workers, 2);
    const model = buildFlow(config, 'mqtt://127.0.0.1:1883').find((node) => node.type === 'mobilenet-model');
    assert.equal(model?.workers, 2);
  });

  it('refuses a MOBILENET_WORKERS outside 1..16 at start, naming the variable and what is valid', () => {
    for (const value of ['0', '17', 'two', '1.5']) {
      assert.throws(
        () => readConfig({ MOBILENET_WORKERS: value }, '/srv'),
        (err: Error) =>
          err.message.startsWith('MOBILENET_WORKERS must be a whole number from 1 to 16 (') &&
          err.message.endsWith(`, got "${value}"`),
      );
    }
  });

  it('serves the login-less editor to this machine only unless EDITOR_REMOTE=1', () => {
    assert.equal(readConfig({}, '/srv').editorRemote, false);
    assert.equal(readConfig({ EDITOR_REMOTE: '1' }, '/srv').editorRemote, true);
    assert.equal(readConfig({ EDITOR_REMOTE: 'no' }, '/srv').editorRemote, false);
  });
});
