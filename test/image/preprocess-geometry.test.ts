import * as assert from 'node:assert/strict';
import { prepareImage } from '../../src/image/preprocess';
import { readImage } from '../fixtures';
import { crop, decodeStored, meanAbsDiff, sharpOf, type Pixels } from './sample-images';

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const BLACK = [0, 0, 0];

/** 400×200: columns 0–99 red, 100–299 green, 300–399 blue. */
function stripes(): Pixels {
  const width = 400;
  const height = 200;
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set(x < 100 ? RED : x < 300 ? GREEN : BLUE, (y * width + x) * 3);
    }
  }
  return { data, width, height, channels: 3 };
}

function pixelAt(rgb: Uint8Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 3;
  return [rgb[i], rgb[i + 1], rgb[i + 2]];
}

/** Asserts every pixel of the rows/columns given is `colour` (resampling may blend the 1-pixel seams left out). */
function assertRegion(
  rgb: Uint8Array,
  width: number,
  xs: [number, number],
  ys: [number, number],
  colour: number[],
): void {
  for (let y = ys[0]; y <= ys[1]; y++) {
    for (let x = xs[0]; x <= xs[1]; x++) assert.deepEqual(pixelAt(rgb, width, x, y), colour, `pixel (${x}, ${y})`);
  }
}

describe('prepareImage: fit modes and regions of interest', function () {
  const image = stripes();
  let png: Buffer;

  before(async function () {
    png = await sharpOf(image).png().toBuffer();
  });

  it('cover (the default) keeps the centre square: only the green middle half of the stripes', async function () {
    const out = await prepareImage(png, { width: 100, height: 100 });
    assertRegion(out.rgb, 100, [1, 98], [0, 99], GREEN);
  });

  it('fill squashes the whole frame: a quarter red, half green, a quarter blue', async function () {
    const out = await prepareImage(png, { width: 100, height: 100, fit: 'fill' });
    assertRegion(out.rgb, 100, [0, 23], [0, 99], RED);
    assertRegion(out.rgb, 100, [26, 73], [0, 99], GREEN);
    assertRegion(out.rgb, 100, [76, 99], [0, 99], BLUE);
  });

  it('contain letterboxes: the 2:1 frame fills the middle half, black bars above and below', async function () {
    const out = await prepareImage(png, { width: 100, height: 100, fit: 'contain' });
    assertRegion(out.rgb, 100, [0, 99], [0, 24], BLACK);
    assertRegion(out.rgb, 100, [0, 23], [26, 73], RED);
    assertRegion(out.rgb, 100, [26, 73], [26, 73], GREEN);
    assertRegion(out.rgb, 100, [76, 99], [26, 73], BLUE);
    assertRegion(out.rgb, 100, [0, 99], [75, 99], BLACK);
  });

  it('contain keeps the letterbox black while transparent pixels become white', async function () {
    const transparent = await sharpOf({ data: Buffer.alloc(40 * 20 * 4), width: 40, height: 20, channels: 4 })
      .png()
      .toBuffer();
    const out = await prepareImage(transparent, { width: 40, height: 40, fit: 'contain' });
    assertRegion(out.rgb, 40, [0, 39], [0, 9], BLACK);
    assertRegion(out.rgb, 40, [0, 39], [10, 29], [255, 255, 255]);
    assertRegion(out.rgb, 40, [0, 39], [30, 39], BLACK);
  });

  it('cover on a tall real photo matches its centred square crop better than any shifted crop', async function () {
    const jpeg = readImage('parrot.jpg'); // 512×929: the centred 512×512 square starts at row 208.5
    const stored = await decodeStored(jpeg);
    const out = await prepareImage(jpeg, { width: 224, height: 224, fit: 'cover' });
    const diffAt = async (top: number) => {
      const square = await sharpOf({ ...stored, data: crop(stored, 0, top, 512, 512), height: 512 })
        .resize(224, 224, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer();
      return meanAbsDiff(out.rgb, square);
    };
    const diffs = new Map<number, number>();
    for (let top = 202; top <= 215; top++) diffs.set(top, await diffAt(top));
    const best = [...diffs.entries()].sort((a, b) => a[1] - b[1])[0];
    assert.ok(best[0] === 208 || best[0] === 209, `best matching crop starts at row ${best[0]}`);
    // Not 0: scaling then cropping samples half a source pixel away from cropping then scaling.
    assert.ok(best[1] < 3, `cover differs from the centred crop by ${best[1]} per value`);
  });

  describe('ROI on coffee.png (600×400)', function () {
    let coffee: Buffer;
    let stored: Pixels;

    before(async function () {
      coffee = readImage('coffee.png');
      stored = await decodeStored(coffee);
    });

    it('in pixels: exactly that rectangle of the photo', async function () {
      const out = await prepareImage(coffee, {
        width: 224,
        height: 160,
        roi: { x: 100, y: 50, width: 224, height: 160 },
      });
      assert.equal(meanAbsDiff(out.rgb, crop(stored, 100, 50, 224, 160)), 0);
      assert.deepEqual(out.source, { width: 600, height: 400, format: 'png' });
    });

    it('in fractions: the middle half is pixels 150..449 × 100..299', async function () {
      const out = await prepareImage(coffee, {
        width: 300,
        height: 200,
        roi: { x: 0.25, y: 0.25, width: 0.5, height: 0.5 },
      });
      assert.equal(meanAbsDiff(out.rgb, crop(stored, 150, 100, 300, 200)), 0);
    });

    it('the same region in fractions and in pixels gives the same model input', async function () {
      const byFraction = await prepareImage(coffee, {
        width: 96,
        height: 96,
        roi: { x: 0.5, y: 0, width: 0.5, height: 1 },
      });
      const byPixels = await prepareImage(coffee, {
        width: 96,
        height: 96,
        roi: { x: 300, y: 0, width: 300, height: 400 },
      });
      assert.deepEqual(byFraction.rgb, byPixels.rgb);
    });

    it('a ROI reaching past the frame is an INVALID_ROI that names the frame size', async function () {
      await assert.rejects(
        prepareImage(coffee, { width: 224, height: 224, roi: { x: 500, y: 0, width: 200, height: 100 } }),
        {
          name: 'ImageError',
          code: 'INVALID_ROI',
          message: /600×400/,
        },
      );
    });
  });
});
