import assert from 'node:assert/strict';
import { readConfig } from '../../app/config';
import { buildFlow, FLOW_IDS } from '../../app/flow';
import { toFrameSourceConfig, type CameraNodeConfig } from '../../nodes/mobilenet-camera/camera-config';
import { nodeMessages } from '../helpers/node-red';

describe('npm start: FRAMES_RETENTION', () => {
  /** The frame source the generated flow's camera node would run. */
  function folderSource(env: NodeJS.ProcessEnv): unknown {
    const flow = buildFlow(readConfig(env, '/srv'), 'mqtt://127.0.0.1:1883');
    const camera = flow.find((n) => n.id === FLOW_IDS.camera) as unknown as CameraNodeConfig;
    return toFrameSourceConfig(camera, nodeMessages('mobilenet-camera'));
  }

  it('keeps the newest 1000 images of the frames folder by default', () => {
    assert.deepEqual((folderSource({}) as { retention: unknown }).retention, { policy: 'newest', count: 1000 });
  });

  it('reads newest:<N>, delete, move:<folder> and keep', () => {
    const retentionOf = (value: string): unknown =>
      (folderSource({ FRAMES_RETENTION: value }) as { retention: unknown }).retention;
    assert.deepEqual(retentionOf('newest:50'), { policy: 'newest', count: 50 });
    assert.deepEqual(retentionOf('delete'), { policy: 'delete' });
    assert.deepEqual(retentionOf('move:classified'), { policy: 'move', dir: 'classified' });
    assert.deepEqual(retentionOf('keep'), { policy: 'keep' });
  });

  it('refuses anything else at start, naming the variable and the accepted values', () => {
    for (const value of ['newest', 'newest:0', 'newest:-3', 'move:', 'shred', 'delete:now']) {
      assert.throws(
        () => readConfig({ FRAMES_RETENTION: value }, '/srv'),
        (err: Error) => {
          assert.equal(
            err.message,
            `FRAMES_RETENTION must be newest:<N> (keep the N newest images, N >= 1; default newest:1000), delete, ` +
              `move:<folder> (relative to FRAMES_DIR, or absolute) or keep, got "${value}"`,
          );
          return true;
        },
      );
    }
  });
});
