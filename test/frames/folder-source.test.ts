import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFrameSource, type Frame, type FrameSource } from '../../src/frames';
import { imagePath, readImage } from '../fixtures';
import { handleBaseline, leakedHandles, nextFrames, sleep } from './helpers';

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
    assert.deepEqual(got.map((f) => path.basename(f.file!)), ['1.JPG', '2.jpeg', '10.jpg', 'chelsea.png', '1.JPG']);
    assert.ok(got[0]!.jpeg.equals(readImage('parrot.jpg')));
    assert.ok(got[1]!.jpeg.equals(readImage('rocket.jpg')));
    assert.ok(got[2]!.jpeg.equals(readImage('owl.jpg')));
    assert.ok(got[3]!.jpeg.equals(readImage('chelsea.png')), 'PNG files are handed on as they are');
    assert.ok(got.every((f) => f.source === 'replay'));
  });

  it('loop: an empty folder is an error that clears once images arrive', async () => {
    source = createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 20, source: 'replay', restart: { initialMs: 50, maxMs: 100 } });
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
    assert.deepEqual(seen.map((f) => f.seq), [0, 1, 2]);
  });

  it('stop() leaves no timer or file handle', async () => {
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
    const before = await handleBaseline();
    source = createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 5, source: 'replay' });
    source.start();
    await nextFrames(source, 3);
    await source.stop();
    assert.deepEqual(await leakedHandles(before), []);
  });

  it('validates mode and interval', () => {
    assert.throws(() => createFrameSource({ kind: 'folder', dir, mode: 'once' as 'loop', intervalMs: 10, source: 's' }), /mode must be "loop" or "watch", got "once"/);
    assert.throws(() => createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 0, source: 's' }), /intervalMs must be a number >= 1, got 0/);
    assert.throws(() => createFrameSource({ kind: 'webcam', source: 's' } as never), /kind must be one of "command", "mjpeg-url", "snapshot-url", "folder", got "webcam"/);
  });
});
