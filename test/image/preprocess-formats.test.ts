import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { prepareImage } from '../../src/image/preprocess';
import { readImage } from '../fixtures';
import { crop, decodeStored, meanAbsDiff, rotate90Clockwise, sharpOf, smallPhoto, type Pixels } from './sample-images';

describe('prepareImage: formats, orientation, grey and alpha', function () {
  let photo: Pixels; // coffee.png scaled to 120 wide: 120×80 RGB

  before(async function () {
    photo = await smallPhoto('coffee.png', 120);
    assert.equal(photo.height, 80);
  });

  // Same output size as the input, so sharp does no resampling and pixels can be compared exactly.
  async function sameSize(bytes: Buffer) {
    return prepareImage(bytes, { width: photo.width, height: photo.height, fit: 'fill' });
  }

  it('returns height×width×3 RGB bytes and the source size and format for a real JPEG', async function () {
    const out = await prepareImage(readImage('parrot.jpg'), { width: 224, height: 224 });
    assert.equal(out.width, 224);
    assert.equal(out.height, 224);
    assert.equal(out.rgb.length, 224 * 224 * 3);
    assert.deepEqual(out.source, { width: 512, height: 929, format: 'jpeg' });
  });

  it('decodes the PNG fixture to the same pixels as a plain decode', async function () {
    const png = readImage('coffee.png');
    const stored = await decodeStored(png);
    const out = await prepareImage(png, { width: stored.width, height: stored.height });
    assert.deepEqual(out.source, { width: 600, height: 400, format: 'png' });
    assert.equal(meanAbsDiff(out.rgb, stored.data), 0);
  });

  const lossless: Array<[string, (s: sharp.Sharp) => sharp.Sharp, string]> = [
    ['PNG', (s) => s.png(), 'png'],
    ['WebP (lossless)', (s) => s.webp({ lossless: true }), 'webp'],
    ['TIFF (LZW)', (s) => s.tiff({ compression: 'lzw' }), 'tiff'],
  ];
  for (const [name, encode, format] of lossless) {
    it(`decodes ${name} made from a fixture photo to exactly its pixels`, async function () {
      const bytes = await encode(sharpOf(photo)).toBuffer();
      const out = await sameSize(bytes);
      assert.equal(out.source.format, format);
      assert.equal(meanAbsDiff(out.rgb, photo.data), 0);
    });
  }

  it('decodes AVIF made from a fixture photo close to its pixels', async function () {
    this.timeout(60000);
    const bytes = await sharpOf(photo).avif({ quality: 90, effort: 0 }).toBuffer();
    const out = await sameSize(bytes);
    assert.equal(out.source.format, 'avif');
    const diff = meanAbsDiff(out.rgb, photo.data);
    assert.ok(diff < 4, `AVIF differs from its source by ${diff} per value`);
  });

  it('takes the first frame of an animated GIF', async function () {
    const dark = Buffer.alloc(photo.data.length, 0);
    const frames = Buffer.concat([photo.data, dark]);
    const gif = await sharp(frames, {
      raw: { width: photo.width, height: photo.height * 2, channels: 3, pageHeight: photo.height },
    })
      .gif({ loop: 0 })
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const out = await sameSize(gif);
    assert.equal(out.source.format, 'gif');
    assert.deepEqual(out.source, { width: photo.width, height: photo.height, format: 'gif' });
    // A 256-colour palette costs a little; the black second frame would be ~100 away.
    const diff = meanAbsDiff(out.rgb, photo.data);
    assert.ok(diff < 8, `first GIF frame differs from the photo by ${diff} per value`);
  });

  it('turns an EXIF-rotated JPEG upright (orientation 6 = stored turned 90° anticlockwise)', async function () {
    const jpeg = await sharpOf(photo).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    assert.equal((await sharp(jpeg).metadata()).orientation, 6);
    const upright = rotate90Clockwise(await decodeStored(jpeg));
    const out = await prepareImage(jpeg, { width: photo.height, height: photo.width, fit: 'fill' });
    assert.deepEqual(out.source, { width: photo.height, height: photo.width, format: 'jpeg' });
    assert.equal(meanAbsDiff(out.rgb, upright.data), 0);
  });

  it('applies a ROI in upright coordinates on an EXIF-rotated JPEG', async function () {
    const jpeg = await sharpOf(photo).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const upright = rotate90Clockwise(await decodeStored(jpeg));
    const out = await prepareImage(jpeg, {
      width: 30,
      height: 50,
      fit: 'fill',
      roi: { x: 10, y: 40, width: 30, height: 50 },
    });
    assert.equal(meanAbsDiff(out.rgb, crop(upright, 10, 40, 30, 50)), 0);
  });

  it('turns a greyscale PNG into RGB with three equal channels', async function () {
    const grey = await sharpOf(photo).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    const greyValues = await sharp(grey).extractChannel(0).raw().toBuffer();
    assert.equal(greyValues.length, photo.width * photo.height);
    const out = await sameSize(grey);
    assert.equal(out.rgb.length, photo.width * photo.height * 3);
    for (let i = 0; i < greyValues.length; i++) {
      const v = greyValues[i];
      assert.ok(out.rgb[i * 3] === v && out.rgb[i * 3 + 1] === v && out.rgb[i * 3 + 2] === v, `pixel ${i}`);
    }
  });

  describe('alpha', function () {
    let rgbaPng: Buffer;

    // The photo with its left half fully transparent and its right half opaque.
    before(async function () {
      const rgba = Buffer.alloc(photo.width * photo.height * 4);
      for (let p = 0; p < photo.width * photo.height; p++) {
        photo.data.copy(rgba, p * 4, p * 3, p * 3 + 3);
        rgba[p * 4 + 3] = p % photo.width < photo.width / 2 ? 0 : 255;
      }
      rgbaPng = await sharp(rgba, { raw: { width: photo.width, height: photo.height, channels: 4 } })
        .png()
        .toBuffer();
    });

    function expected(background: number): Buffer {
      const out = Buffer.from(photo.data);
      for (let p = 0; p < photo.width * photo.height; p++) {
        if (p % photo.width < photo.width / 2) out.fill(background, p * 3, p * 3 + 3);
      }
      return out;
    }

    it('flattens transparent pixels onto white by default and keeps opaque ones', async function () {
      const out = await sameSize(rgbaPng);
      assert.equal(meanAbsDiff(out.rgb, expected(255)), 0);
    });

    it('flattens onto black when asked', async function () {
      const out = await prepareImage(rgbaPng, {
        width: photo.width,
        height: photo.height,
        fit: 'fill',
        alphaBackground: 'black',
      });
      assert.equal(meanAbsDiff(out.rgb, expected(0)), 0);
    });
  });

  describe('raw pixels', function () {
    it('takes RGB pixels as they are', async function () {
      const out = await prepareImage(
        { data: photo.data, width: photo.width, height: photo.height, channels: 3 },
        { width: photo.width, height: photo.height },
      );
      assert.deepEqual(out.source, { width: photo.width, height: photo.height, format: 'raw' });
      assert.equal(meanAbsDiff(out.rgb, photo.data), 0);
    });

    it('drops the alpha of opaque RGBA pixels', async function () {
      const rgba = new Uint8Array(photo.width * photo.height * 4);
      for (let p = 0; p < photo.width * photo.height; p++) {
        rgba.set(photo.data.subarray(p * 3, p * 3 + 3), p * 4);
        rgba[p * 4 + 3] = 255;
      }
      const out = await prepareImage(
        { data: rgba, width: photo.width, height: photo.height, channels: 4 },
        { width: photo.width, height: photo.height },
      );
      assert.equal(meanAbsDiff(out.rgb, photo.data), 0);
    });

    it('spreads one grey channel over R, G and B', async function () {
      const grey = new Uint8Array(photo.width * photo.height);
      for (let p = 0; p < grey.length; p++) grey[p] = photo.data[p * 3 + 1];
      const out = await prepareImage(
        { data: grey, width: photo.width, height: photo.height, channels: 1 },
        { width: photo.width, height: photo.height },
      );
      for (let p = 0; p < grey.length; p++)
        assert.deepEqual([...out.rgb.subarray(p * 3, p * 3 + 3)], [grey[p], grey[p], grey[p]]);
    });

    it('flattens grey + alpha onto white', async function () {
      const ga = new Uint8Array([10, 255, 200, 0]);
      const out = await prepareImage({ data: ga, width: 2, height: 1, channels: 2 }, { width: 2, height: 1 });
      assert.deepEqual([...out.rgb], [10, 10, 10, 255, 255, 255]);
    });
  });
});
