import assert from 'node:assert/strict';
import { createFrameSource, LatestFrameGate, type Frame, type FrameSource } from '../../src/frames';
import { imagePath } from '../fixtures';
import { sleep } from '../helpers';
import { nextFrames } from './helpers';

describe('frames/LatestFrameGate', () => {
  it('under a rate cap, a burst delivers the first and the newest and counts the rest as skipped', async () => {
    const got: number[] = [];
    const gate = new LatestFrameGate<number>((n) => got.push(n), { maxFps: 10 });
    for (let i = 0; i < 50; i++) gate.offer(i);
    assert.deepEqual(got, [0]);
    await sleep(150);
    assert.deepEqual(got, [0, 49]);
    assert.equal(gate.skipped, 48);
    assert.equal(gate.emitted, 2);
    gate.clear();
  });

  it('holds frames while paused and delivers only the newest on resume', () => {
    const got: number[] = [];
    const gate = new LatestFrameGate<number>((n) => got.push(n));
    gate.pause();
    for (let i = 0; i < 5; i++) gate.offer(i);
    assert.deepEqual(got, []);
    gate.resume();
    assert.deepEqual(got, [4]);
    assert.equal(gate.skipped, 4);
    gate.resume();
    assert.deepEqual(got, [4], 'nothing is delivered twice');
  });

  it('in pull mode waits for ready after each frame', () => {
    const got: number[] = [];
    const gate = new LatestFrameGate<number>((n) => got.push(n), { pull: true });
    gate.offer(1);
    gate.offer(2);
    gate.offer(3);
    assert.deepEqual(got, [1]);
    gate.resume();
    assert.deepEqual(got, [1, 3]);
    assert.equal(gate.skipped, 1);
  });

  it('rejects a negative rate', () => {
    assert.throws(
      () => new LatestFrameGate(() => undefined, { maxFps: -1 }),
      /maxFps must be a number >= 0 \(0 = no cap\), got -1/,
    );
  });
});

describe('frames/rate cap on a real source', function () {
  this.timeout(20000);
  let source: FrameSource | undefined;

  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });

  it('caps a 25 fps ffmpeg stream to 5 fps and counts the skipped frames', async () => {
    source = createFrameSource({
      kind: 'command',
      command: '/usr/bin/ffmpeg',
      args: [
        '-loglevel',
        'error',
        '-re',
        '-loop',
        '1',
        '-i',
        imagePath('owl.jpg'),
        '-vf',
        'scale=160:-2',
        '-r',
        '25',
        '-f',
        'mjpeg',
        '-',
      ],
      source: 'fast',
      maxFps: 5,
    });
    source.start();
    await nextFrames(source, 1);
    const t0 = Date.now();
    const got = await nextFrames(source, 6);
    const seconds = (Date.now() - t0) / 1000;
    const stats = source.stats;
    assert.ok(seconds >= 5 / 5 - 0.05, `6 frames at <= 5 fps need >= 1 s, took ${seconds}`);
    assert.ok(stats.skipped > 0, 'frames beyond the cap are skipped');
    assert.ok(stats.frames - stats.emitted - stats.skipped <= 1, 'at most one frame waits');
    // seq gaps show the skipped frames to the consumer
    assert.ok(got[got.length - 1]!.seq - got[0]!.seq > got.length - 1);
    assert.ok(stats.fps > 3 && stats.fps <= 5.5, `fps ${stats.fps}`);
  });

  it('a busy consumer using pull mode sees only fresh frames, never a backlog', async () => {
    source = createFrameSource({
      kind: 'command',
      command: '/usr/bin/ffmpeg',
      args: [
        '-loglevel',
        'error',
        '-re',
        '-loop',
        '1',
        '-i',
        imagePath('owl.jpg'),
        '-vf',
        'scale=160:-2',
        '-r',
        '20',
        '-f',
        'mjpeg',
        '-',
      ],
      source: 'pull',
      pull: true,
    });
    const got: Frame[] = [];
    const ages: number[] = [];
    source.on('frame', (f) => {
      got.push(f);
      ages.push(Date.now() - f.ts);
      // A slow classifier: 250 ms per frame, then asks for the next one.
      setTimeout(() => source?.ready(), 250);
    });
    source.start();
    await sleep(2000);
    const stats = source.stats;
    assert.ok(got.length >= 4 && got.length <= 10, `emitted ${got.length}`);
    assert.ok(stats.skipped >= got.length, `skipped ${stats.skipped}`);
    // Each frame handed over was captured within about one frame interval (50 ms), not queued.
    assert.ok(Math.max(...ages) < 200, `frame ages at delivery: ${ages.join(', ')} ms`);
    assert.equal(new Set(got.map((f) => f.seq)).size, got.length, 'no frame is delivered twice');
  });
});
