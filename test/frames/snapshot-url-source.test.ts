import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createFrameSource, type FrameSource } from '../../src/frames';
import { readImage } from '../fixtures';
import { handleBaseline, leakedHandles } from '../helpers';
import { nextFrames, nextState } from './helpers';
import { startSnapshotServer, type TestServer } from './mjpeg-server';

describe('frames/snapshot-url source (polled still images)', function () {
  this.timeout(20000);
  let frames: Buffer[];
  let server: TestServer | undefined;
  let source: FrameSource | undefined;

  before(async () => {
    const owl = readImage('owl.jpg');
    frames = [owl, await sharp(readImage('hot_dog.jpg')).resize(128).jpeg().toBuffer()];
  });

  afterEach(async () => {
    await source?.stop();
    await server?.close();
    source = undefined;
    server = undefined;
  });

  it('polls at the interval and emits each snapshot unchanged', async () => {
    server = await startSnapshotServer(frames);
    source = createFrameSource({ kind: 'snapshot-url', url: server.url, intervalMs: 100, source: 'doorbell' });
    source.start();
    const t0 = Date.now();
    const got = await nextFrames(source, 4);
    const elapsed = Date.now() - t0;
    got.forEach((f, i) => {
      assert.ok(f.jpeg.equals(server!.sent[i]!), `snapshot ${i} differs`);
    });
    assert.ok(elapsed >= 280, `4 polls 100 ms apart took only ${elapsed} ms`);
    assert.equal((await sharp(got[1]!.jpeg).metadata()).width, 128);
  });

  it('treats an HTML answer as an error, backs off, then recovers', async () => {
    server = await startSnapshotServer(frames, {
      count: 1,
      status: 200,
      type: 'text/html',
      body: '<html>login</html>',
    });
    source = createFrameSource({
      kind: 'snapshot-url',
      url: server.url,
      intervalMs: 50,
      source: 'doorbell',
      restart: { initialMs: 50, maxMs: 100 },
    });
    const errors: string[] = [];
    source.on('error', (e) => errors.push(e.message));
    source.start();
    await nextState(source, 'running');
    assert.match(
      errors[0]!,
      /snapshot http:\/\/127\.0\.0\.1:\d+\/stream is not a complete JPEG \(content-type text\/html, 18 bytes\)/,
    );
    assert.equal(source.stats.invalid, 1);
    assert.equal(source.stats.restarts, 1);
  });

  it('reports HTTP errors', async () => {
    server = await startSnapshotServer(frames, { count: 100, status: 401 });
    source = createFrameSource({
      kind: 'snapshot-url',
      url: server.url,
      intervalMs: 50,
      source: 'doorbell',
      restart: { initialMs: 1000, maxMs: 1000 },
    });
    const failed = new Promise<Error>((resolve) => source!.once('error', resolve));
    source.start();
    assert.match((await failed).message, /answered HTTP 401 Unauthorized/);
  });

  it('stop() leaves no socket or timer', async () => {
    server = await startSnapshotServer(frames);
    const before = await handleBaseline();
    source = createFrameSource({ kind: 'snapshot-url', url: server.url, intervalMs: 30, source: 'doorbell' });
    source.start();
    await nextFrames(source, 3);
    await source.stop();
    assert.deepEqual(await leakedHandles(before, { settleMs: 1000 }), []);
  });
});
