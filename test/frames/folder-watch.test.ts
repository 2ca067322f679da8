import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFrameSource, type Frame, type FolderSourceConfig, type FrameSource } from '../../src/frames';
import { imagePath, readImage } from '../fixtures';
import { sleep } from '../helpers';
import { nextFrames, nextState } from './helpers';

type FsPromiseCall = 'stat' | 'lstat' | 'readdir' | 'open' | 'readFile';
const COUNTED: FsPromiseCall[] = ['stat', 'lstat', 'readdir', 'open', 'readFile'];

/**
 * Counts the fs.promises calls whose path lies in `dir` until the returned function is called.
 * The folder source reaches the file system only through fs.promises, so this is its own count
 * of per-file work, whatever the implementation.
 */
function countFsCalls(dir: string): () => Record<FsPromiseCall, number> {
  const counts = { stat: 0, lstat: 0, readdir: 0, open: 0, readFile: 0 };
  const promises = fs.promises as unknown as Record<FsPromiseCall, (...args: unknown[]) => unknown>;
  const originals = new Map<FsPromiseCall, (...args: unknown[]) => unknown>();
  for (const name of COUNTED) {
    const original = promises[name]!;
    originals.set(name, original);
    promises[name] = function (this: unknown, ...args: unknown[]) {
      if (typeof args[0] === 'string' && args[0].startsWith(dir)) counts[name]++;
      return original.apply(this, args);
    };
  }
  return () => {
    for (const [name, original] of originals) promises[name] = original;
    return counts;
  };
}

/** The fs module itself: a namespace import is a copy, and patching it would not reach the source. */
const realFs = require('node:fs') as { watch: typeof fs.watch };

/** Replaces fs.watch until the returned function is called (the source calls it once, at start). */
function replaceFsWatch(replacement: (...args: unknown[]) => unknown): () => void {
  const original = realFs.watch;
  realFs.watch = replacement as typeof fs.watch;
  return () => {
    realFs.watch = original;
  };
}

describe('frames/folder source: watching', function () {
  this.timeout(30000);
  let dir: string;
  let elsewhere: string;
  let source: FrameSource | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-watch-'));
    elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-elsewhere-'));
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });

  function watch(extra: Partial<FolderSourceConfig> = {}): { frames: Frame[]; errors: string[] } {
    source = createFrameSource({ kind: 'folder', dir, mode: 'watch', intervalMs: 60, source: 'drop', ...extra });
    const frames: Frame[] = [];
    const errors: string[] = [];
    source.on('frame', (f) => frames.push(f));
    source.on('error', (e) => errors.push(e.message));
    source.start();
    return { frames, errors };
  }

  it('does no per-file work while idle: 5,000 files present, 2 s, no stat/read/listing', async () => {
    const tiny = readImage('rocket.jpg');
    for (let i = 0; i < 5000; i++) fs.writeFileSync(path.join(dir, `old-${i}.jpg`), tiny.subarray(0, 64));
    // Checking every 60 ms, as a camera folder would be checked often.
    watch();
    await nextState(source!, 'running');
    await sleep(300);
    const stop = countFsCalls(dir);
    await sleep(2000);
    const idle = stop();
    assert.deepEqual(
      idle,
      { stat: 0, lstat: 0, readdir: 0, open: 0, readFile: 0 },
      'an idle watched folder costs nothing per file',
    );

    // A new file costs a few calls for that file only, not one per file in the folder.
    const stopAgain = countFsCalls(dir);
    fs.writeFileSync(path.join(dir, 'new.jpg'), readImage('owl.jpg'));
    const [frame] = await nextFrames(source!, 1);
    await sleep(200);
    const forOne = stopAgain();
    assert.equal(frame!.file, path.join(dir, 'new.jpg'));
    assert.ok(
      forOne.stat + forOne.lstat <= 8 && forOne.readdir === 0 && forOne.open + forOne.readFile === 1,
      `calls for one new file: ${JSON.stringify(forOne)}`,
    );
  });

  it(
    'picks up files created, copied, moved in from another folder and written slowly, each once when ' + 'complete',
    async () => {
      const { frames, errors } = watch({ intervalMs: 150 });
      await nextState(source!, 'running');

      fs.writeFileSync(path.join(dir, 'created.jpg'), readImage('owl.jpg'));
      await nextFrames(source!, 1);
      fs.copyFileSync(imagePath('parrot.jpg'), path.join(dir, 'copied.jpg'));
      await nextFrames(source!, 1);
      fs.writeFileSync(path.join(elsewhere, 'moved.png'), readImage('chelsea.png'));
      fs.renameSync(path.join(elsewhere, 'moved.png'), path.join(dir, 'moved.png'));
      await nextFrames(source!, 1);

      // A camera writing a frame in small pieces, each sooner than the check interval.
      const hotDog = readImage('hot_dog.jpg');
      const fd = fs.openSync(path.join(dir, 'slow.jpg'), 'w');
      const piece = Math.ceil(hotDog.length / 12);
      for (let at = 0; at < hotDog.length; at += piece) {
        fs.writeSync(fd, hotDog.subarray(at, at + piece));
        await sleep(40);
      }
      fs.closeSync(fd);
      await nextFrames(source!, 1);
      await sleep(500);

      assert.deepEqual(
        frames.map((f) => path.basename(f.file!)),
        ['created.jpg', 'copied.jpg', 'moved.png', 'slow.jpg'],
      );
      assert.ok(frames[1]!.jpeg.equals(readImage('parrot.jpg')));
      assert.ok(frames[2]!.jpeg.equals(readImage('chelsea.png')));
      assert.ok(frames[3]!.jpeg.equals(hotDog), 'the slowly written frame is read once, whole');
      assert.deepEqual(errors, []);
    },
  );

  it(
    'an empty file (a camera that opened its file) is not re-checked while it stays empty, and is sent once ' +
      'written',
    async () => {
      const { frames, errors } = watch();
      await nextState(source!, 'running');
      const file = path.join(dir, 'opened.jpg');
      fs.writeFileSync(file, '');
      await sleep(400);
      const stop = countFsCalls(dir);
      await sleep(1000);
      assert.deepEqual(stop(), { stat: 0, lstat: 0, readdir: 0, open: 0, readFile: 0 });
      fs.writeFileSync(file, readImage('owl.jpg'));
      await nextFrames(source!, 1);
      assert.equal(frames[0]!.file, file);
      assert.deepEqual(errors, []);
    },
  );

  it(
    'with inotify exhausted (fs.watch fails with ENOSPC) says so and lists the folder every 2 s instead: nothing is ' +
      'missed',
    async () => {
      const restore = replaceFsWatch(() => {
        throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached, watch'), {
          code: 'ENOSPC',
        });
      });
      let seen: { frames: Frame[]; errors: string[] };
      try {
        seen = watch();
        await nextState(source!, 'running');
      } finally {
        restore();
      }
      assert.deepEqual(seen.errors, [
        `cannot watch folder ${dir} for changes (ENOSPC: System limit for number of file watchers reached, watch); ` +
          `listing it every 2 s instead`,
      ]);
      fs.writeFileSync(path.join(dir, 'late.jpg'), readImage('owl.jpg'));
      const [frame] = await nextFrames(source!, 1, 6000);
      assert.equal(frame!.file, path.join(dir, 'late.jpg'));
    },
  );

  it(
    'finds a file no event announced (a network share written by another machine) at the periodic ' + 'listing',
    async () => {
      // An fs.watch that never reports anything, as on an SMB or NFS mount.
      const restore = replaceFsWatch(() => Object.assign(new EventEmitter(), { close: () => undefined }));
      try {
        watch({ rescanMs: 300 });
        await nextState(source!, 'running');
      } finally {
        restore();
      }
      fs.writeFileSync(path.join(dir, 'from-the-share.png'), readImage('chelsea.png'));
      const [frame] = await nextFrames(source!, 1, 5000);
      assert.equal(frame!.file, path.join(dir, 'from-the-share.png'));
      assert.ok(frame!.jpeg.equals(readImage('chelsea.png')));
    },
  );

  it('sends every image of a burst copied in at once, none skipped by the rate cap', async () => {
    const { frames } = watch({ maxFps: 25 });
    await nextState(source!, 'running');
    const owl = readImage('owl.jpg');
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(elsewhere, `burst-${i}.jpg`), owl);
    for (let i = 0; i < 20; i++)
      fs.renameSync(path.join(elsewhere, `burst-${i}.jpg`), path.join(dir, `burst-${i}.jpg`));
    await nextFrames(source!, 20);
    await sleep(300);
    assert.equal(frames.length, 20);
    assert.equal(new Set(frames.map((f) => f.file)).size, 20, 'each file once');
    assert.equal(source!.stats.skipped, 0);
  });
});
