import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { ImageError } from '../../src/image/errors';
import { makeThumbnail } from '../../src/labelset/thumbnail';
import { readImage } from '../fixtures';

describe('makeThumbnail', function () {
  it('makes a small square JPEG of what the classifier sees (cover fit, 224×224)', async function () {
    const jpeg = await makeThumbnail(readImage('cat_720p.jpg'));
    const info = await sharp(jpeg).metadata();
    assert.equal(info.format, 'jpeg');
    assert.equal(info.width, 224);
    assert.equal(info.height, 224);
    assert.ok(jpeg.length < 40_000, `${jpeg.length} bytes`);
  });

  it('crops the region of interest first (fractions of the frame)', async function () {
    const photo = readImage('parrot.jpg');
    const whole = await sharp(await makeThumbnail(photo))
      .raw()
      .toBuffer();
    const top = await sharp(await makeThumbnail(photo, { x: 0, y: 0, width: 1, height: 0.25 }))
      .raw()
      .toBuffer();
    let difference = 0;
    for (let i = 0; i < whole.length; i++) difference += Math.abs(whole[i] - top[i]);
    assert.ok(difference / whole.length > 10, `mean difference ${difference / whole.length}`);
  });

  it('encodes pixels that already are the square (a classifier input) as they are, in one pass', async function () {
    const { data } = await sharp(readImage('owl.jpg')).resize(224, 224).raw().toBuffer({ resolveWithObject: true });
    const raw = { data: new Uint8Array(data), width: 224, height: 224, channels: 3 };
    const jpeg = await makeThumbnail(raw);
    const decoded = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([decoded.info.width, decoded.info.height], [224, 224]);
    let difference = 0;
    for (let i = 0; i < data.length; i++) difference += Math.abs(decoded.data[i] - data[i]);
    assert.ok(difference / data.length < 4, `mean difference ${difference / data.length}`);
    // Another size still goes through the classifier's fit: a 112×112 thumbnail of the same pixels.
    assert.equal((await sharp(await makeThumbnail(raw, undefined, { size: 112 })).metadata()).width, 112);
  });

  it('refuses what is not an image, and a BMP, with the image room’s ImageError', async function () {
    await assert.rejects(makeThumbnail(Buffer.from('not an image')), (e: unknown) => e instanceof ImageError);
    await assert.rejects(makeThumbnail(readImage('dragonfly.bmp')), (e: unknown) => e instanceof ImageError);
    await assert.rejects(
      makeThumbnail(readImage('owl.jpg'), { x: 0, y: 0, width: 5000, height: 10 }),
      (e: unknown) => e instanceof ImageError && e.code === 'INVALID_ROI',
    );
  });
});
