import assert from 'node:assert/strict';
import { createFrameSource } from '../../../src/frames';
import {
  type CameraCredentials,
  type CameraNodeConfig,
  sourceName,
  toFrameSourceConfig as readConfig,
} from '../../../nodes/mobilenet-camera/camera-config';
import { nodeMessages } from '../../helpers/node-red';

const t = nodeMessages('mobilenet-camera');
const toFrameSourceConfig = (config: CameraNodeConfig, credentials?: CameraCredentials) =>
  readConfig(config, t, credentials);

describe('mobilenet-camera/toFrameSourceConfig', function () {
  it('turns editor strings and seconds into a command source config the core accepts', function () {
    const config = toFrameSourceConfig({
      kind: 'command',
      command: ' ffmpeg ',
      args: '-f mjpeg -',
      maxFps: '2.5',
      restartMin: '0.5',
      restartMax: '4',
      name: 'porch',
    });
    assert.deepEqual(config, {
      kind: 'command',
      command: 'ffmpeg',
      args: ['-f', 'mjpeg', '-'],
      source: 'porch',
      maxFps: 2.5,
      restart: { initialMs: 500, maxMs: 4000 },
    });
    assert.equal(createFrameSource(config).state, 'stopped');
  });

  it('uses the defaults for empty fields: 5 fps, restart 1 s to 30 s, 1 s interval', function () {
    const config = toFrameSourceConfig({
      kind: 'folder',
      dir: '/tmp',
      maxFps: '',
      restartMin: '',
      restartMax: '',
      interval: '',
    });
    assert.deepEqual(config, {
      kind: 'folder',
      dir: '/tmp',
      mode: 'loop',
      intervalMs: 1000,
      source: 'camera',
      maxFps: 5,
      restart: { initialMs: 1000, maxMs: 30000 },
      maxFrameBytes: 50 * 2 ** 20,
    });
  });

  it('maps the folder watch retention and max file size fields; loop mode never removes anything', function () {
    const watch = { kind: 'folder', dir: '/tmp', folderMode: 'watch' };
    const retentionOf = (fields: object): unknown =>
      (toFrameSourceConfig({ ...watch, ...fields }) as { retention?: unknown }).retention;
    assert.deepEqual(retentionOf({}), { policy: 'keep' }, 'a flow from before the option keeps every image');
    assert.deepEqual(retentionOf({ retention: 'newest', keepNewest: '' }), { policy: 'newest', count: 1000 });
    assert.deepEqual(retentionOf({ retention: 'newest', keepNewest: '25' }), { policy: 'newest', count: 25 });
    assert.deepEqual(retentionOf({ retention: 'delete' }), { policy: 'delete' });
    assert.deepEqual(retentionOf({ retention: 'move', moveTo: ' ' }), { policy: 'move', dir: 'done' });
    assert.deepEqual(retentionOf({ retention: 'move', moveTo: '/srv/classified' }), {
      policy: 'move',
      dir: '/srv/classified',
    });
    assert.equal(retentionOf({ folderMode: 'loop', retention: 'delete' }), undefined);
    assert.equal(
      (toFrameSourceConfig({ ...watch, maxFileMiB: '2' }) as { maxFrameBytes: number }).maxFrameBytes,
      2 * 2 ** 20,
    );
    assert.throws(
      () => toFrameSourceConfig({ ...watch, retention: 'shred' }),
      /After sending must be one of "keep", "newest", "delete", "move", got "shred"/,
    );
    assert.throws(
      () => toFrameSourceConfig({ ...watch, retention: 'newest', keepNewest: '2.5' }),
      /Keep newest must be a whole number of images >= 1, got "2.5"/,
    );
    assert.throws(
      () => toFrameSourceConfig({ ...watch, retention: 'newest', keepNewest: '0' }),
      /Keep newest must be a number >= 1 \(images\), got "0"/,
    );
    assert.throws(
      () => toFrameSourceConfig({ ...watch, maxFileMiB: 'big' }),
      /Max file size must be a number >= 0.01 \(MiB\), got "big"/,
    );
  });

  it('names the source from Source name, else the node name, else "camera"', function () {
    assert.equal(sourceName({ source: ' garage ', name: 'n' }), 'garage');
    assert.equal(sourceName({ source: '', name: 'Front door' }), 'Front door');
    assert.equal(sourceName({}), 'camera');
  });

  it('puts the credential store user and password into the URL (sent as Basic auth)', function () {
    const config = toFrameSourceConfig(
      { kind: 'snapshot-url', url: 'http://127.0.0.1:8080/capture', interval: '0.2' },
      { user: 'cam', password: 'p@ss word' },
    );
    assert.deepEqual(config, {
      kind: 'snapshot-url',
      url: 'http://cam:p%40ss%20word@127.0.0.1:8080/capture',
      intervalMs: 200,
      source: 'camera',
      maxFps: 5,
      restart: { initialMs: 1000, maxMs: 30000 },
    });
    assert.equal(new URL((config as { url: string }).url).password, 'p%40ss%20word');
  });

  it(
    'keeps every character of a stored password as typed, "%20" included, up to the Basic auth the core ' + 'sends',
    function () {
      for (const password of ['100%', 'p%20q', 'p%40q', 'a@b:c/d#e?f g', 'ünï✓', '%%']) {
        const config = toFrameSourceConfig(
          { kind: 'mjpeg-url', url: 'http://127.0.0.1:8080/video' },
          { user: 'c@m:1', password },
        ) as { url: string };
        const url = new URL(config.url);
        assert.equal(decodeURIComponent(url.username), 'c@m:1');
        assert.equal(decodeURIComponent(url.password), password, JSON.stringify(password));
      }
    },
  );

  it('refuses bad fields with the editor field name and the valid values', function () {
    assert.throws(() => toFrameSourceConfig({ kind: 'command', command: '' }), /Command is empty/);
    assert.throws(
      () => toFrameSourceConfig({ kind: 'command', command: 'ffmpeg', args: '-i "x' }),
      /Arguments: arguments have an unterminated double quote/,
    );
    assert.throws(
      () => toFrameSourceConfig({ kind: 'webcam' }),
      /Source kind must be one of "command", "mjpeg-url", "snapshot-url", "folder", got "webcam"/,
    );
    assert.throws(() => toFrameSourceConfig({ kind: 'mjpeg-url', url: ' ' }), /URL is empty/);
    assert.throws(
      () => toFrameSourceConfig({ kind: 'folder', dir: '/tmp', folderMode: 'tail' }),
      /Folder mode must be "loop" or "watch", got "tail"/,
    );
    assert.throws(
      () => toFrameSourceConfig({ kind: 'command', command: 'x', maxFps: 'fast' }),
      /Max fps must be a number >= 0 \(0 means no cap\), got "fast"/,
    );
    assert.throws(
      () => toFrameSourceConfig({ kind: 'command', command: 'x', restartMin: '10', restartMax: '5' }),
      /Restart at most every \(5 s\) must not be less than Restart after \(10 s\)/,
    );
    // The core checks what only it knows: URL schemes.
    assert.throws(
      () => createFrameSource(toFrameSourceConfig({ kind: 'mjpeg-url', url: 'rtsp://cam/stream' })),
      /must be an http:\/\/ or https:\/\/ URL/,
    );
  });
});
