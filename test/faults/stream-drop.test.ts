import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { said, waitFor } from '../helpers';
import { collect, distNode, helper } from '../helpers/node-red';

const BOUNDARY = 'dropsmidframe';

interface DroppingCamera {
  url: string;
  connections: number;
  close(): Promise<void>;
}

/**
 * An MJPEG camera whose first `drops` connections each send two whole frames, then half of a third,
 * then reset the socket (Wi-Fi gone, camera rebooting); later connections stream normally.
 */
async function startDroppingCamera(jpeg: Buffer, drops: number): Promise<DroppingCamera> {
  const state = { connections: 0 };
  const server = http.createServer((_req, res) => {
    const connection = ++state.connections;
    res.writeHead(200, { 'Content-Type': `multipart/x-mixed-replace;boundary=${BOUNDARY}` });
    const part = (body: Buffer): void => {
      res.write(`\r\n--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(body);
    };
    let sent = 0;
    const timer = setInterval(() => {
      if (connection <= drops && sent === 2) {
        clearInterval(timer);
        part(jpeg.subarray(0, jpeg.length >> 1));
        // Let the half frame reach the client before the reset.
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      part(jpeg);
      sent++;
    }, 100);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('faults: an MJPEG stream server dropping the connection mid-frame', function () {
  this.timeout(60000);
  let camera: DroppingCamera | undefined;

  beforeEach(async () => {
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await camera?.close();
    camera = undefined;
  });

  it(
    'never passes the half frame on, reconnects each time, says why once per drop, and classifies the frames ' +
      'after',
    async () => {
      const jpeg = await sharp(readImage('parrot.jpg')).resize(320, 240, { fit: 'fill' }).jpeg().toBuffer();
      camera = await startDroppingCamera(jpeg, 3);
      await helper.load(
        [distNode('mobilenet-camera'), distNode('mobilenet-model'), distNode('mobilenet-classify')],
        [
          { id: 'tab', type: 'tab' },
          {
            id: 'model',
            type: 'mobilenet-model',
            source: 'path',
            path: V1_025_LAYERS_DIR,
            backend: 'wasm',
            queueSize: 16,
            queuePolicy: 'wait',
            fit: 'fill',
          },
          {
            id: 'camera',
            z: 'tab',
            type: 'mobilenet-camera',
            name: 'porch',
            kind: 'mjpeg-url',
            url: camera.url,
            maxFps: 0,
            autostart: true,
            restartMin: 0.2,
            restartMax: 0.5,
            wires: [['classify', 'frames']],
          },
          { id: 'classify', z: 'tab', type: 'mobilenet-classify', model: 'model', topK: 1, wires: [['classified']] },
          { id: 'frames', z: 'tab', type: 'helper' },
          { id: 'classified', z: 'tab', type: 'helper' },
          { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'caught', z: 'tab', type: 'helper' },
        ],
      );
      const frames = collect(helper.getNode('frames')!);
      const classified = collect(helper.getNode('classified')!);
      const caught = collect(helper.getNode('caught')!);
      const c = camera;
      // Three dropped connections, then a healthy one that keeps sending.
      await waitFor(() => c.connections >= 4, { what: 'the fourth connection', timeoutMs: 20000 });
      await waitFor(() => classified.length >= 10, {
        what: 'frames of the healthy connection classified',
        timeoutMs: 30000,
      });

      for (const f of frames)
        assert.equal((f.payload as Buffer).length, jpeg.length, 'only whole frames are passed on');
      assert.equal(frames.length >= 3 * 2 + 4, true, `${frames.length} frames`);
      for (const m of classified)
        assert.equal((m.payload as Array<{ label: string }>)[0]!.label.split(',')[0], 'macaw');
      assert.deepEqual(said(helper.getNode('classify')!, 'error'), [], 'no half frame reached the classifier');
      // Each drop is one report (the run before it was healthy, so it is news), naming what happened.
      const reports = said(helper.getNode('camera')!, 'error');
      assert.ok(reports.length >= 1 && reports.length <= 3, `reports: ${JSON.stringify(reports)}`);
      for (const r of reports) assert.match(r, /stream|connection|socket|reset|ended|closed|aborted/i);
      assert.equal(caught.length, reports.length, 'each report reaches a Catch node');
    },
  );
});
