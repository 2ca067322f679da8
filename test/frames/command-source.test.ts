import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createFrameSource, type FrameSource } from '../../src/frames';
import type { CommandFrameSource } from '../../src/frames/command-source';
import { imagePath } from '../fixtures';
import { handleBaseline, leakedHandles, sleep } from '../helpers';
import { isAlive, liveGroupMembers, nextFrames, nextState } from './helpers';

const FFMPEG = '/usr/bin/ffmpeg';
const ffmpegArgs = [
  '-loglevel',
  'error',
  '-re',
  '-loop',
  '1',
  '-i',
  imagePath('parrot.jpg'),
  '-vf',
  'scale=320:-2',
  '-r',
  '5',
  '-f',
  'mjpeg',
  '-',
];

describe('frames/command source (ffmpeg MJPEG on stdout)', function () {
  this.timeout(20000);
  let source: FrameSource | undefined;

  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });

  it('yields valid JPEG frames with increasing seq from a looping real photo', async () => {
    source = createFrameSource({ kind: 'command', command: FFMPEG, args: ffmpegArgs, source: 'parrot-cam' });
    const states: string[] = [];
    source.on('state', (s) => states.push(s));
    source.start();
    const frames = await nextFrames(source, 3);
    assert.deepEqual(
      frames.map((f) => f.seq),
      [0, 1, 2],
    );
    assert.ok(frames.every((f) => f.source === 'parrot-cam'));
    assert.ok(frames[2]!.ts >= frames[0]!.ts);
    const meta = await sharp(frames[1]!.jpeg).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 320);
    const { data, info } = await sharp(frames[1]!.jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.equal(data.length, info.width * info.height * info.channels);
    assert.deepEqual(states, ['starting', 'running']);
  });

  it('restarts after the ffmpeg process is killed, and frames resume', async () => {
    source = createFrameSource({
      kind: 'command',
      command: FFMPEG,
      args: ffmpegArgs,
      source: 'cam',
      restart: { initialMs: 200, maxMs: 2000 },
    });
    source.on('error', () => undefined);
    source.start();
    await nextFrames(source, 2);
    const firstPid = (source as CommandFrameSource).pid!;
    const restarting = nextState(source, 'restarting');
    process.kill(firstPid, 'SIGKILL');
    await restarting;
    assert.match(source.stats.lastError ?? '', /killed by SIGKILL/);
    const after = await nextFrames(source, 2);
    assert.equal(source.state, 'running');
    assert.equal(source.stats.restarts, 1);
    assert.notEqual((source as CommandFrameSource).pid, firstPid);
    assert.equal(isAlive(firstPid), false);
    // seq keeps counting across the restart
    assert.ok(after[0]!.seq >= 2);
  });

  it('stop() kills the child and leaves no process, pipe or timer behind', async () => {
    const before = await handleBaseline();
    source = createFrameSource({ kind: 'command', command: FFMPEG, args: ffmpegArgs, source: 'cam' });
    source.start();
    await nextFrames(source, 1);
    const pid = (source as CommandFrameSource).pid!;
    await source.stop();
    assert.equal(source.state, 'stopped');
    assert.equal(isAlive(pid), false);
    assert.deepEqual(await leakedHandles(before), []);
  });

  it('escalates to SIGKILL for the whole process group when SIGTERM is ignored', async () => {
    const before = await handleBaseline();
    // A shell that ignores SIGTERM and keeps a child of its own (the trap is inherited).
    source = createFrameSource({
      kind: 'command',
      command: '/bin/sh',
      args: ['-c', "trap '' TERM; sleep 30 & wait"],
      source: 'stubborn',
      killGraceMs: 300,
    });
    source.start();
    await sleep(300);
    const pid = (source as CommandFrameSource).pid!;
    assert.ok(isAlive(pid));
    assert.ok(liveGroupMembers(pid).length >= 2, 'the shell and its sleep child share the group');
    const t0 = Date.now();
    await source.stop();
    assert.ok(Date.now() - t0 >= 250, 'waited for the grace period first');
    assert.equal(isAlive(pid), false);
    assert.deepEqual(liveGroupMembers(pid), [], 'no member of the process group survives');
    assert.deepEqual(await leakedHandles(before), []);
  });

  it('reports a missing executable clearly and keeps retrying with backoff', async () => {
    source = createFrameSource({
      kind: 'command',
      command: '/nonexistent/rpicam-vid',
      args: ['--codec', 'mjpeg', '-o', '-'],
      source: 'cam',
      restart: { initialMs: 50, maxMs: 100 },
    });
    const errors: Error[] = [];
    source.on('error', (e) => errors.push(e));
    source.start();
    await sleep(600);
    assert.ok(errors.length >= 2, `expected repeated attempts, got ${errors.length}`);
    assert.match(
      errors[0]!.message,
      /cannot run camera command "\/nonexistent\/rpicam-vid": spawn \/nonexistent\/rpicam-vid ENOENT/,
    );
    assert.equal(source.state, 'restarting');
    assert.ok(source.stats.restarts >= 1);
  });

  it('rejects a command given as one shell string without args', () => {
    assert.throws(
      () => createFrameSource({ kind: 'command', command: '', args: [], source: 'cam' }),
      /command must be a non-empty executable/,
    );
    assert.throws(
      () =>
        createFrameSource({ kind: 'command', command: 'ffmpeg', args: 'nope' as unknown as string[], source: 'cam' }),
      /args must be an array of strings/,
    );
  });
});
