import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFrameSource, type Frame, type FolderSourceConfig, type FrameSource } from '../../src/frames';
import { readImage } from '../fixtures';
import { sleep, waitFor } from '../helpers';
import { nextFrames, nextState } from './helpers';

describe('frames/folder source: retention', function () {
  this.timeout(30000);
  let dir: string;
  let source: FrameSource | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-retention-'));
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function watch(
    retention: FolderSourceConfig['retention'],
    extra: Partial<FolderSourceConfig> = {},
  ): { frames: Frame[]; errors: string[] } {
    source = createFrameSource({
      kind: 'folder',
      dir,
      mode: 'watch',
      intervalMs: 50,
      source: 'drop',
      retention,
      ...extra,
    });
    const frames: Frame[] = [];
    const errors: string[] = [];
    source.on('frame', (f) => frames.push(f));
    source.on('error', (e) => errors.push(e.message));
    source.start();
    return { frames, errors };
  }

  const files = (): string[] => fs.readdirSync(dir).sort();
  /** A JPEG cut in half: it settles but is never complete, so it is never sent. */
  const halfJpeg = (): Buffer => readImage('parrot.jpg').subarray(0, 4000);

  it('delete: each image is deleted once sent, images there at start are sent too, unsent files stay', async () => {
    fs.writeFileSync(path.join(dir, 'waiting.jpg'), readImage('owl.jpg'));
    const { frames, errors } = watch({ policy: 'delete' });
    await nextFrames(source!, 1);
    assert.equal(path.basename(frames[0]!.file!), 'waiting.jpg', 'the folder is an inbox: what waited in it is sent');
    assert.ok(frames[0]!.jpeg.equals(readImage('owl.jpg')));

    fs.writeFileSync(path.join(dir, 'half.jpg'), halfJpeg());
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(dir, 'new.png'), readImage('chelsea.png'));
    await nextFrames(source!, 1);
    await waitFor(() => errors.some((e) => /half\.jpg/.test(e)), { what: 'the half JPEG reported' });
    await waitFor(() => !files().includes('new.png'), { what: 'new.png deleted' });
    assert.deepEqual(files(), ['half.jpg', 'notes.txt'], 'only what was sent is deleted');
  });

  it('move: each image sent is moved into the folder named, which is not reported as a stray entry', async () => {
    const { frames, errors } = watch({ policy: 'move', dir: 'done' });
    await nextState(source!, 'running');
    assert.ok(fs.statSync(path.join(dir, 'done')).isDirectory(), 'the move folder is created');
    fs.writeFileSync(path.join(dir, 'a.jpg'), readImage('owl.jpg'));
    await nextFrames(source!, 1);
    fs.writeFileSync(path.join(dir, 'b.jpg'), readImage('rocket.jpg'));
    await nextFrames(source!, 1);
    await waitFor(() => fs.readdirSync(path.join(dir, 'done')).length === 2, { what: 'both moved' });
    assert.deepEqual(files(), ['done']);
    assert.ok(fs.readFileSync(path.join(dir, 'done', 'b.jpg')).equals(readImage('rocket.jpg')));
    assert.deepEqual(
      frames.map((f) => path.basename(f.file!)),
      ['a.jpg', 'b.jpg'],
    );
    await sleep(200);
    assert.deepEqual(errors, []);
  });

  it('newest: keeps the newest N images it sent, never an unsent one nor one that was there at start', async () => {
    const old = Date.now() / 1000 - 3600;
    for (const [i, name] of ['old-1.jpg', 'old-2.jpg', 'old-3.jpg'].entries()) {
      fs.writeFileSync(path.join(dir, name), readImage('owl.jpg'));
      fs.utimesSync(path.join(dir, name), old + i, old + i);
    }
    fs.writeFileSync(path.join(dir, 'readme.txt'), 'not an image: never counted, never deleted');
    const { frames } = watch({ policy: 'newest', count: 2 });
    await nextState(source!, 'running');
    await sleep(300);
    assert.deepEqual(
      files(),
      ['old-1.jpg', 'old-2.jpg', 'old-3.jpg', 'readme.txt'],
      'images there at start are neither sent nor deleted',
    );
    assert.equal(frames.length, 0, 'images there at start are not sent');

    fs.writeFileSync(path.join(dir, 'half.jpg'), halfJpeg());
    for (const name of ['n1.jpg', 'n2.jpg', 'n3.jpg']) {
      fs.writeFileSync(path.join(dir, name), readImage('rocket.jpg'));
      await nextFrames(source!, 1);
    }
    await waitFor(() => files().length === 7, { what: 'trimmed to the newest 2 sent images' });
    assert.deepEqual(files(), ['half.jpg', 'n2.jpg', 'n3.jpg', 'old-1.jpg', 'old-2.jpg', 'old-3.jpg', 'readme.txt']);
  });

  it('delete: an image read but still waiting for a busy consumer is not deleted when the source stops', async () => {
    const { frames } = watch({ policy: 'delete' }, { pull: true });
    await nextState(source!, 'running');
    fs.writeFileSync(path.join(dir, 'first.jpg'), readImage('owl.jpg'));
    await nextFrames(source!, 1);
    await waitFor(() => !files().includes('first.jpg'), { what: 'first.jpg deleted once sent' });
    // The consumer has not called ready(): the next image waits and must survive a stop.
    fs.writeFileSync(path.join(dir, 'second.jpg'), readImage('rocket.jpg'));
    await sleep(400);
    assert.equal(frames.length, 1);
    await source!.stop();
    assert.deepEqual(files(), ['second.jpg']);
  });

  it('validates the policy, and names what is accepted', () => {
    const base = { kind: 'folder', dir, mode: 'watch', intervalMs: 50, source: 's' } as const;
    assert.throws(
      () => createFrameSource({ ...base, retention: { policy: 'shred' } as never }),
      /retention\.policy must be one of "keep", "newest", "delete", "move", got "shred"/,
    );
    assert.throws(
      () => createFrameSource({ ...base, retention: { policy: 'newest', count: 0 } }),
      /retention "newest" needs count, a whole number >= 1 \(how many images to keep\), got 0/,
    );
    assert.throws(
      () => createFrameSource({ ...base, retention: { policy: 'move', dir: '' } }),
      /retention "move" needs dir/,
    );
    assert.throws(
      () => createFrameSource({ ...base, retention: { policy: 'move', dir: '.' } }),
      /needs a folder other than the watched one/,
    );
    assert.throws(
      () => createFrameSource({ ...base, mode: 'loop', retention: { policy: 'delete' } }),
      /retention "delete" applies to watch mode only/,
    );
  });
});
