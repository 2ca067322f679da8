import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createFrameSource, type FrameSource } from '../../src/frames';
import { readImage } from '../fixtures';
import { handleBaseline, leakedHandles } from '../helpers';
import { nextFrames, nextState } from './helpers';
import { startMjpegServer, type TestServer } from './mjpeg-server';

describe('frames/mjpeg-url source (HTTP multipart/x-mixed-replace)', function () {
  this.timeout(20000);
  let frames: Buffer[];
  let server: TestServer | undefined;
  let source: FrameSource | undefined;

  before(async () => {
    const parrot = readImage('parrot.jpg');
    // The untouched photo (with its EXIF thumbnail) and two re-encoded sizes: distinct frames.
    frames = [
      parrot,
      await sharp(parrot).resize(160).jpeg().toBuffer(),
      await sharp(parrot).resize(96).jpeg().toBuffer(),
    ];
  });

  afterEach(async () => {
    await source?.stop();
    await server?.close();
    source = undefined;
    server = undefined;
  });

  for (const contentLength of [true, false]) {
    const how = contentLength ? 'by Content-Length' : 'by JPEG markers (no Content-Length)';
    it(`receives every frame intact ${how}`, async () => {
      server = await startMjpegServer({ frames, intervalMs: 40, contentLength });
      source = createFrameSource({ kind: 'mjpeg-url', url: server.url, source: 'esp32' });
      source.start();
      const got = await nextFrames(source, 6);
      got.forEach((f, i) => {
        assert.ok(f.jpeg.equals(server!.sent[i]!), `frame ${i} differs from what the server sent`);
      });
      assert.deepEqual(
        got.map((f) => f.seq),
        [0, 1, 2, 3, 4, 5],
      );
      assert.equal((await sharp(got[1]!.jpeg).metadata()).width, 160);
      assert.equal(source.stats.invalid, 0);
    });
  }

  it('reconnects when the camera ends the stream, and frames resume', async () => {
    server = await startMjpegServer({ frames, intervalMs: 30, contentLength: true, endAfter: 2 });
    source = createFrameSource({
      kind: 'mjpeg-url',
      url: server.url,
      source: 'esp32',
      restart: { initialMs: 100, maxMs: 1000 },
    });
    const errors: string[] = [];
    source.on('error', (e) => errors.push(e.message));
    source.start();
    await nextFrames(source, 5);
    assert.ok(server.requests >= 3, `expected reconnects, server saw ${server.requests} requests`);
    assert.ok(source.stats.restarts >= 2);
    assert.match(errors[0]!, /^MJPEG stream http:\/\/127\.0\.0\.1:\d+\/stream ended$/);
  });

  it('reports an HTTP error status and retries until the camera answers', async () => {
    server = await startMjpegServer({
      frames,
      intervalMs: 30,
      contentLength: true,
      failFirst: { count: 2, status: 503 },
    });
    source = createFrameSource({
      kind: 'mjpeg-url',
      url: server.url,
      source: 'esp32',
      restart: { initialMs: 50, maxMs: 200 },
    });
    const errors: string[] = [];
    source.on('error', (e) => errors.push(e.message));
    source.start();
    await nextState(source, 'running');
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /answered HTTP 503 Service Unavailable/);
  });

  it('restarts a stream that goes silent', async () => {
    server = await startMjpegServer({ frames, intervalMs: 60000, contentLength: true });
    source = createFrameSource({
      kind: 'mjpeg-url',
      url: server.url,
      source: 'esp32',
      stallTimeoutMs: 300,
      restart: { initialMs: 50, maxMs: 100 },
    });
    const errors: string[] = [];
    source.on('error', (e) => errors.push(e.message));
    source.start();
    await nextState(source, 'restarting');
    assert.match(errors[0]!, /no data for 300 ms/);
  });

  it('keeps credentials out of error messages', async () => {
    source = createFrameSource({
      kind: 'mjpeg-url',
      url: 'http://admin:secret@127.0.0.1:1/video',
      source: 'cam',
      restart: { initialMs: 1000, maxMs: 1000 },
    });
    const failed = new Promise<Error>((resolve) => source!.once('error', resolve));
    source.start();
    const err = await failed;
    assert.match(err.message, /cannot read MJPEG stream http:\/\/127\.0\.0\.1:1\/video: connect ECONNREFUSED/);
    assert.doesNotMatch(err.message, /secret/);
  });

  it('stop() closes the socket and leaves no handle', async () => {
    server = await startMjpegServer({ frames, intervalMs: 30, contentLength: true });
    const before = await handleBaseline();
    source = createFrameSource({ kind: 'mjpeg-url', url: server.url, source: 'esp32' });
    source.start();
    await nextFrames(source, 2);
    await source.stop();
    assert.equal(source.state, 'stopped');
    assert.deepEqual(await leakedHandles(before, { settleMs: 1000 }), []);
  });

  it('rejects a URL that is not http(s)', () => {
    assert.throws(
      () => createFrameSource({ kind: 'mjpeg-url', url: 'rtsp://cam/stream', source: 'cam' }),
      /url must be an http:\/\/ or https:\/\/ URL, got "rtsp:\/\/cam\/stream"/,
    );
  });
});
