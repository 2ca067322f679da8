import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFrameSource, type Frame, type FrameSource } from '../../src/frames';
import { imagePath, readImage } from '../fixtures';
import { handleBaseline, leakedHandles, sleep } from '../helpers';
import { nextFrames, nextState } from './helpers';

describe('frames/folder source', function () {
  this.timeout(20000);
  let dir: string;
  let source: FrameSource | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-folder-'));
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loop: replays the images in natural name order, skipping dotfiles and other files', async () => {
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, '10.jpg'));
    fs.copyFileSync(imagePath('rocket.jpg'), path.join(dir, '2.jpeg'));
    fs.symlinkSync(imagePath('parrot.jpg'), path.join(dir, '1.JPG'));
    fs.copyFileSync(imagePath('cat_720p.jpg'), path.join(dir, '.hidden.jpg'));
    fs.copyFileSync(imagePath('chelsea.png'), path.join(dir, 'chelsea.png'));
    fs.copyFileSync(imagePath('dragonfly.bmp'), path.join(dir, 'dragonfly.bmp'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    source = createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 20, source: 'replay' });
    source.start();
    const got = await nextFrames(source, 5);
    assert.deepEqual(
      got.map((f) => path.basename(f.file!)),
      ['1.JPG', '2.jpeg', '10.jpg', 'chelsea.png', '1.JPG'],
    );
    assert.ok(got[0]!.jpeg.equals(readImage('parrot.jpg')));
    assert.ok(got[1]!.jpeg.equals(readImage('rocket.jpg')));
    assert.ok(got[2]!.jpeg.equals(readImage('owl.jpg')));
    assert.ok(got[3]!.jpeg.equals(readImage('chelsea.png')), 'PNG files are handed on as they are');
    assert.ok(got.every((f) => f.source === 'replay'));
  });

  it('loop: an empty folder is an error that clears once images arrive', async () => {
    source = createFrameSource({
      kind: 'folder',
      dir,
      mode: 'loop',
      intervalMs: 20,
      source: 'replay',
      restart: { initialMs: 50, maxMs: 100 },
    });
    const errors: string[] = [];
    source.on('error', (e) => errors.push(e.message));
    source.start();
    await sleep(150);
    assert.equal(source.state, 'restarting');
    assert.equal(errors[0], `folder ${dir} holds no images (.jpg, .png, .webp, .gif, .tiff, .avif)`);
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
    await nextFrames(source, 1);
    assert.equal(source.state, 'running');
  });

  it('watch: an empty but readable folder is running (waiting for images), not stuck starting', async () => {
    source = createFrameSource({ kind: 'folder', dir, mode: 'watch', intervalMs: 40, source: 'ftp-drop' });
    source.start();
    await sleep(200);
    assert.equal(source.state, 'running');
    assert.equal(source.stats.frames, 0);
  });

  it('watch: emits each new or changed image once, only when fully written', async () => {
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'already-there.jpg'));
    source = createFrameSource({ kind: 'folder', dir, mode: 'watch', intervalMs: 40, source: 'ftp-drop' });
    const seen: Frame[] = [];
    const warnings: string[] = [];
    source.on('frame', (f) => seen.push(f));
    source.on('error', (e) => warnings.push(e.message));
    source.start();
    await sleep(200);
    assert.equal(seen.length, 0, 'files present at start are the baseline');

    // A slow upload: half the bytes, a pause long enough to look settled, then the rest.
    const parrot = readImage('parrot.jpg');
    const upload = path.join(dir, 'upload.jpg');
    fs.writeFileSync(upload, parrot.subarray(0, parrot.length >> 1));
    await sleep(400);
    assert.equal(seen.length, 0, 'a half-written JPEG is not a frame');
    fs.appendFileSync(upload, parrot.subarray(parrot.length >> 1));
    await nextFrames(source, 1);
    assert.equal(seen.length, 1);
    assert.ok(seen[0]!.jpeg.equals(parrot));
    assert.equal(seen[0]!.file, upload);
    assert.equal(warnings.length, 1, 'the stalled half file was reported once');
    assert.match(warnings[0]!, /upload\.jpg: its size stopped changing but it is not a complete JPEG/);

    // Temp names and dotfiles are ignored until renamed into place.
    const rocket = readImage('rocket.jpg');
    fs.writeFileSync(path.join(dir, '.rocket.jpg.tmp'), rocket);
    fs.writeFileSync(path.join(dir, 'rocket.jpg.part'), rocket);
    await sleep(200);
    assert.equal(seen.length, 1);
    fs.renameSync(path.join(dir, 'rocket.jpg.part'), path.join(dir, 'rocket.jpg'));
    await nextFrames(source, 1);
    assert.ok(seen[1]!.jpeg.equals(rocket));

    // Nothing is emitted twice while it stays unchanged; a rewrite is news again.
    await sleep(250);
    assert.equal(seen.length, 2);
    fs.writeFileSync(path.join(dir, 'already-there.jpg'), readImage('hot_dog.jpg'));
    await nextFrames(source, 1);
    assert.ok(seen[2]!.jpeg.equals(readImage('hot_dog.jpg')));
    assert.deepEqual(
      seen.map((f) => f.seq),
      [0, 1, 2],
    );
  });

  /** The size bound in these tests: the photos (up to 150 KiB) pass, the padded one does not. */
  const LIMIT = 192 * 1024;

  /** A named pipe, a directory and a device, each named like an image, and a file over the size bound. */
  function hostileEntries(): void {
    execFileSync('mkfifo', [path.join(dir, 'pipe.jpg')]);
    fs.mkdirSync(path.join(dir, 'folder.jpg'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.jpg'));
    fs.writeFileSync(path.join(dir, 'huge.jpg'), Buffer.concat([readImage('owl.jpg'), Buffer.alloc(200 * 1024)]));
  }

  it(
    'loop: a named pipe, a directory, a device and an over-size file are skipped with an error each; the good ' +
      'images still play',
    async () => {
      hostileEntries();
      fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
      source = createFrameSource({
        kind: 'folder',
        dir,
        mode: 'loop',
        intervalMs: 10,
        source: 'replay',
        maxFrameBytes: LIMIT,
      });
      const errors: string[] = [];
      source.on('error', (e) => errors.push(e.message));
      source.start();
      const frames = await nextFrames(source, 3);
      assert.ok(frames.every((f) => path.basename(f.file!) === 'owl.jpg'));
      const about = (name: string): string[] => errors.filter((e) => e.includes(path.join(dir, name)));
      assert.deepEqual(about('pipe.jpg'), [
        `skipped ${path.join(dir, 'pipe.jpg')}: it is a named pipe (FIFO), not a regular file; only regular image ` +
          `files are read`,
      ]);
      assert.deepEqual(about('folder.jpg'), [
        `skipped ${path.join(dir, 'folder.jpg')}: it is a directory (sub-folders are not read), not a regular file; ` +
          `only regular image files are read`,
      ]);
      assert.deepEqual(about('zero.jpg'), [
        `skipped ${path.join(dir, 'zero.jpg')}: it is a character device, not a regular file; only regular image ` +
          `files ` +
          `are read`,
      ]);
      const hugeMiB = (fs.statSync(path.join(dir, 'huge.jpg')).size / 2 ** 20).toFixed(2);
      assert.deepEqual(about('huge.jpg'), [
        `skipped ${path.join(dir, 'huge.jpg')}: it is ${hugeMiB} MiB, over the 0.19 MiB limit for one image ` +
          `(maxFrameBytes)`,
      ]);
      assert.ok(source.stats.invalid >= 4);
    },
  );

  it(
    'watch: a named pipe, a directory, a device and an over-size file arriving are skipped with an error each; the ' +
      'next image is sent',
    async () => {
      source = createFrameSource({
        kind: 'folder',
        dir,
        mode: 'watch',
        intervalMs: 40,
        source: 'drop',
        maxFrameBytes: LIMIT,
      });
      const errors: string[] = [];
      source.on('error', (e) => errors.push(e.message));
      source.start();
      await nextState(source, 'running');
      hostileEntries();
      await sleep(300);
      fs.copyFileSync(imagePath('rocket.jpg'), path.join(dir, 'rocket.jpg'));
      const [frame] = await nextFrames(source, 1);
      assert.equal(path.basename(frame!.file!), 'rocket.jpg');
      await sleep(300);
      for (const [name, why] of [
        ['pipe.jpg', 'a named pipe (FIFO)'],
        ['folder.jpg', 'a directory'],
        ['zero.jpg', 'a character device'],
        ['huge.jpg', 'over the 0.19 MiB limit for one image'],
      ]) {
        const about = errors.filter((e) => e.includes(path.join(dir, name!)));
        assert.equal(about.length, 1, `${name} reported once: ${JSON.stringify(errors)}`);
        assert.ok(about[0]!.includes(why!), about[0]);
      }
      assert.equal(source.state, 'running');
    },
  );

  it(
    'names the real format of a broken file, and reports unsupported files once each, saying what is ' + 'accepted',
    async () => {
      const png = readImage('chelsea.png');
      fs.writeFileSync(path.join(dir, 'cut.png'), png.subarray(0, png.length >> 1));
      fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
      source = createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 10, source: 'replay' });
      const loopErrors: string[] = [];
      source.on('error', (e) => loopErrors.push(e.message));
      source.start();
      await nextFrames(source, 3);
      assert.deepEqual(
        loopErrors,
        [`skipped ${path.join(dir, 'cut.png')}: not a complete PNG (PNG ends before its IEND chunk)`],
        'reported once, not at every pass',
      );
      await source.stop();

      const watched = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-watch-wording-'));
      try {
        source = createFrameSource({ kind: 'folder', dir: watched, mode: 'watch', intervalMs: 40, source: 'drop' });
        const errors: string[] = [];
        source.on('error', (e) => errors.push(e.message));
        source.start();
        await nextState(source, 'running');
        fs.copyFileSync(imagePath('dragonfly.bmp'), path.join(watched, 'dragonfly.bmp'));
        fs.writeFileSync(path.join(watched, 'phone.heic'), Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'));
        fs.writeFileSync(path.join(watched, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
        // A HEIC photo renamed .jpg: named by what it is.
        fs.writeFileSync(
          path.join(watched, 'renamed.jpg'),
          Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'),
        );
        fs.writeFileSync(path.join(watched, 'upload.jpg.part'), 'still uploading');
        // written to again: not reported twice
        fs.appendFileSync(path.join(watched, 'dragonfly.bmp'), Buffer.alloc(10));
        fs.copyFileSync(imagePath('owl.jpg'), path.join(watched, 'owl.jpg'));
        await nextFrames(source, 1);
        await sleep(300);
        const accepted =
          'a folder source classifies JPEG (.jpg, .jpeg), PNG, WebP, GIF, TIFF (.tif, .tiff) or AVIF files';
        assert.deepEqual(errors.filter((e) => !e.includes('renamed.jpg')).sort(), [
          `skipped ${path.join(watched, 'dragonfly.bmp')}: .bmp files are not a supported image format; ${accepted}`,
          `skipped ${path.join(watched, 'logo.svg')}: .svg files are not a supported image format; ${accepted}`,
          `skipped ${path.join(watched, 'phone.heic')}: .heic files are not a supported image format; ${accepted}`,
        ]);
        assert.deepEqual(
          errors.filter((e) => e.includes('renamed.jpg')),
          [
            `skipped ${path.join(watched, 'renamed.jpg')}: it is a HEIC image, which is not supported (accepted: ` +
              `JPEG ` +
              `(.jpg, .jpeg), PNG, WebP, GIF, TIFF (.tif, .tiff) or AVIF)`,
          ],
        );
      } finally {
        await source.stop();
        fs.rmSync(watched, { recursive: true, force: true });
      }
    },
  );

  it('stop() leaves no timer or file handle', async () => {
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
    const before = await handleBaseline();
    source = createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 5, source: 'replay' });
    source.start();
    await nextFrames(source, 3);
    await source.stop();
    assert.deepEqual(await leakedHandles(before), []);
  });

  it('watch: stop() closes the folder watcher, timers and file handles', async () => {
    const before = await handleBaseline();
    source = createFrameSource({ kind: 'folder', dir, mode: 'watch', intervalMs: 20, source: 'drop', rescanMs: 100 });
    source.start();
    await nextState(source, 'running');
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
    await nextFrames(source, 1);
    await source.stop();
    // An fs.watch handle is released by libuv's close callback, a moment after close().
    assert.deepEqual(await leakedHandles(before, { settleMs: 500 }), []);
  });

  it('validates mode and interval', () => {
    assert.throws(
      () => createFrameSource({ kind: 'folder', dir, mode: 'once' as 'loop', intervalMs: 10, source: 's' }),
      /mode must be "loop" or "watch", got "once"/,
    );
    assert.throws(
      () => createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 0, source: 's' }),
      /intervalMs must be a number >= 1, got 0/,
    );
    assert.throws(
      () => createFrameSource({ kind: 'webcam', source: 's' } as never),
      /kind must be one of "command", "mjpeg-url", "snapshot-url", "folder", got "webcam"/,
    );
  });
});
