import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { prepareImage } from '../../src/image/preprocess';
import { maxConcurrentDecodes, setMaxConcurrentDecodes, withDecodeSlot } from '../../src/image/sharp-runtime';
import type { PreparedImage } from '../../src/image/types';
import { readImage } from '../fixtures';

describe('sharp runtime settings for a long-running process', function () {
  const initialLimit = maxConcurrentDecodes();
  after(function () {
    setMaxConcurrentDecodes(initialLimit);
  });

  it('turns the libvips cache off and uses one libvips thread per image once an image is prepared', async function () {
    await prepareImage(readImage('owl.jpg'), { width: 32, height: 32 });
    const cache = sharp.cache();
    assert.equal(cache.memory.max, 0);
    assert.equal(cache.items.max, 0);
    assert.equal(cache.files.max, 0);
    assert.equal(sharp.concurrency(), 1);
  });

  it('restores the settings after another copy of sharp (its ESM entry) reset them on load', async function () {
    const esm = (await import('sharp')).default; // a separate module instance that runs cache(true)
    esm.cache(true);
    esm.concurrency(2);
    assert.notEqual(sharp.cache().items.max, 0);
    await prepareImage(readImage('owl.jpg'), { width: 32, height: 32 });
    assert.equal(sharp.cache().items.max, 0);
    assert.equal(sharp.concurrency(), 1);
  });

  it('keeps memory flat over 200 different camera-sized frames (no cache growth)', async function () {
    this.timeout(120000);
    const base = await sharp(readImage('cat_720p.jpg')).resize(640, 480, { fit: 'fill' }).raw().toBuffer();
    // 40 frames of different bytes, as a camera sends, cycled.
    const frame = async (i: number) =>
      sharp(base, { raw: { width: 640, height: 480, channels: 3 } })
        .modulate({ brightness: 0.8 + (i % 40) / 100 })
        .jpeg()
        .toBuffer();
    const frames = await Promise.all(Array.from({ length: 40 }, (_, i) => frame(i)));
    for (let i = 0; i < 40; i++) await prepareImage(frames[i], { width: 224, height: 224 });
    const rssAfterWarmUp = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) await prepareImage(frames[i % 40], { width: 224, height: 224 });
    const growth = process.memoryUsage().rss - rssAfterWarmUp;
    assert.equal(sharp.cache().memory.current, 0);
    assert.ok(growth < 64e6, `rss grew by ${(growth / 1e6).toFixed(1)} MB over 200 frames`);
  });

  it('never runs more than maxConcurrentDecodes pipelines at once', async function () {
    setMaxConcurrentDecodes(2);
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return peak;
    };
    await Promise.all(Array.from({ length: 10 }, () => withDecodeSlot(task)));
    assert.equal(peak, 2);
  });

  it('keeps going after a task fails inside its slot', async function () {
    setMaxConcurrentDecodes(1);
    await assert.rejects(
      withDecodeSlot(async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await withDecodeSlot(async () => 42), 42);
  });

  it('gives every one of many concurrent callers its own correct result', async function () {
    setMaxConcurrentDecodes(2);
    const files = ['parrot.jpg', 'coffee.png', 'owl.jpg', 'hot_dog.jpg', 'chelsea.png', 'rocket.jpg'];
    const alone: PreparedImage[] = [];
    for (const file of files) alone.push(await prepareImage(readImage(file), { width: 96, height: 96 }));
    const together = await Promise.all(
      [...files, ...files].map((file) => prepareImage(readImage(file), { width: 96, height: 96 })),
    );
    together.forEach((out, i) => {
      assert.deepEqual(out.rgb, alone[i % files.length].rgb, files[i % files.length]);
    });
  });

  it('refuses a limit below 1', function () {
    assert.throws(() => setMaxConcurrentDecodes(0), /integer >= 1/);
  });
});
