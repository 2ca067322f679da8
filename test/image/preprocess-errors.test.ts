import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { ImageError } from '../../src/image/errors';
import { prepareImage } from '../../src/image/preprocess';
import type { ImageInput, PreprocessOptions } from '../../src/image/types';
import { readImage } from '../fixtures';
import { pngBomb } from './sample-images';

const SIZE: PreprocessOptions = { width: 224, height: 224 };

async function rejectsWith(
  input: ImageInput,
  code: ImageError['code'],
  message: RegExp,
  options: PreprocessOptions = SIZE,
): Promise<ImageError> {
  let caught: unknown;
  try {
    await prepareImage(input, options);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ImageError, `expected an ImageError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, message);
  return caught;
}

describe('prepareImage: bad input is an ImageError, never a crash', function () {
  const parrot = readImage('parrot.jpg'); // 512×929, portrait: cover needs only the middle rows
  const cat = readImage('cat_720p.jpg');
  const coffee = readImage('coffee.png');

  it('empty bytes: EMPTY', async function () {
    await rejectsWith(Buffer.alloc(0), 'EMPTY', /empty/);
    await rejectsWith(new Uint8Array(0), 'EMPTY', /empty/);
  });

  it('bytes that are no image: NOT_AN_IMAGE, listing what is accepted', async function () {
    await rejectsWith(Buffer.from('{"temperature": 21.5, "unit": "C"}'), 'NOT_AN_IMAGE', /JPEG, PNG, WebP/);
  });

  it('SVG is refused as UNSUPPORTED_FORMAT although sharp could render it', async function () {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await rejectsWith(svg, 'UNSUPPORTED_FORMAT', /SVG images are not supported/);
  });

  for (const file of ['dragonfly.bmp', 'grace_hopper.bmp']) {
    it(`the BMP fixture ${file}: UNSUPPORTED_FORMAT, sharp has no BMP decoder, use PNG/JPEG`, async function () {
      await rejectsWith(readImage(file), 'UNSUPPORTED_FORMAT', /BMP.*no BMP decoder.*PNG or JPEG/);
    });
  }

  describe('truncated files', function () {
    const cuts: Array<[string, Buffer, number]> = [
      ['a JPEG cut inside its header', parrot, 200],
      ['a JPEG cut in half', cat, cat.length >> 1],
      ['a JPEG missing its last 2000 bytes', cat, cat.length - 2000],
      // cover reads only the middle rows of this portrait photo: libvips alone would not notice
      ['a portrait JPEG missing its bottom rows (cover never decodes them)', parrot, parrot.length - 100000],
      ['a JPEG missing only its end-of-image marker', parrot, parrot.length - 2],
      ['a PNG cut inside its header', coffee, 30],
      ['a PNG cut in half', coffee, coffee.length >> 1],
      ['a PNG missing its IEND chunk', coffee, coffee.length - 12],
    ];
    for (const [what, bytes, length] of cuts) {
      it(`${what}: TRUNCATED`, async function () {
        await rejectsWith(bytes.subarray(0, length), 'TRUNCATED', /truncated or corrupt/);
      });
    }

    it('a WebP cut short: TRUNCATED', async function () {
      const webp = await sharp(coffee).webp().toBuffer();
      await rejectsWith(webp.subarray(0, webp.length - 500), 'TRUNCATED', /truncated or corrupt/);
    });

    it('a PNG with damaged pixel data: TRUNCATED', async function () {
      const damaged = Buffer.from(coffee);
      damaged.fill(0x55, damaged.length >> 1, (damaged.length >> 1) + 1000);
      await rejectsWith(damaged, 'TRUNCATED', /corrupt/);
    });
  });

  describe('decompression bombs and pixel limits', function () {
    it('a 1 KB PNG claiming 100000×100000 pixels: TOO_LARGE, refused without decoding', async function () {
      const bomb = pngBomb(100000, 100000);
      assert.ok(bomb.length < 2000, `bomb is ${bomb.length} bytes`);
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      await rejectsWith(bomb, 'TOO_LARGE', /100000×100000 = 10000000000 pixels, over the limit of 50000000/);
      assert.ok(performance.now() - started < 2000, 'refusal took too long: was it decoded?');
      assert.ok(process.memoryUsage().rss - rssBefore < 200e6, 'memory grew by over 200 MB: was it decoded?');
    });

    it('a bomb just over a configured maxPixels: TOO_LARGE naming the size', async function () {
      await rejectsWith(pngBomb(8000, 8000), 'TOO_LARGE', /8000×8000 = 64000000 pixels, over the limit of 10000000/, {
        ...SIZE,
        maxPixels: 10e6,
      });
    });

    it('a real photo over a small maxPixels: TOO_LARGE', async function () {
      await rejectsWith(coffee, 'TOO_LARGE', /600×400 = 240000 pixels/, { ...SIZE, maxPixels: 100000 });
    });

    it('raw pixels over maxPixels: TOO_LARGE before the length is even checked', async function () {
      await rejectsWith(
        { data: new Uint8Array(12), width: 100000, height: 100000, channels: 3 },
        'TOO_LARGE',
        /over the limit/,
      );
    });
  });

  describe('raw buffers', function () {
    it('length ≠ width×height×channels: RAW_SIZE_MISMATCH with both numbers', async function () {
      await rejectsWith(
        { data: new Uint8Array(640 * 480 * 3 - 1), width: 640, height: 480, channels: 3 },
        'RAW_SIZE_MISMATCH',
        /921599 bytes.*needs 921600/,
      );
      await rejectsWith(
        { data: new Uint8Array(640 * 480 * 3), width: 640, height: 480, channels: 4 },
        'RAW_SIZE_MISMATCH',
        /needs 1228800/,
      );
    });

    it('channels outside 1..4, or a bad width: INVALID_INPUT naming valid values', async function () {
      await rejectsWith(
        { data: new Uint8Array(10 * 5), width: 10, height: 1, channels: 5 },
        'INVALID_INPUT',
        /1 \(grey\).*4 \(RGBA\)/,
      );
      await rejectsWith(
        { data: new Uint8Array(30), width: 2.5, height: 4, channels: 3 },
        'INVALID_INPUT',
        /width must be a positive integer/,
      );
    });

    it('empty raw data: EMPTY', async function () {
      await rejectsWith({ data: new Uint8Array(0), width: 1, height: 1, channels: 3 }, 'EMPTY', /empty/);
    });
  });

  describe('options', function () {
    it('a bad fit, kernel or size is INVALID_INPUT naming the valid values', async function () {
      await rejectsWith(coffee, 'INVALID_INPUT', /fit must be one of cover, fill, contain/, {
        ...SIZE,
        fit: 'stretch' as never,
      });
      await rejectsWith(coffee, 'INVALID_INPUT', /kernel must be one of nearest, linear/, {
        ...SIZE,
        kernel: 'bicubic' as never,
      });
      await rejectsWith(coffee, 'INVALID_INPUT', /width must be a positive integer/, { width: 0, height: 224 });
    });

    const badRois: Array<[string, unknown, RegExp]> = [
      ['negative', { x: -1, y: 0, width: 10, height: 10 }, /negative/],
      ['zero width', { x: 0, y: 0, width: 0, height: 0.5 }, /positive width/],
      ['fractions past the edge', { x: 0.6, y: 0, width: 0.5, height: 1 }, /fractions.*<= 1/],
      ['pixels past the edge', { x: 0, y: 300, width: 600, height: 101 }, /600×400 frame/],
      ['not a number', { x: '10', y: 0, width: 10, height: 10 }, /x must be a finite number/],
      ['not an object', 'centre', /must be an object/],
    ];
    for (const [what, roi, message] of badRois) {
      it(`ROI ${what}: INVALID_ROI`, async function () {
        await rejectsWith(coffee, 'INVALID_ROI', message, { ...SIZE, roi: roi as never });
      });
    }
  });

  it('after every kind of failure, the next good image still decodes correctly', async function () {
    const reference = await prepareImage(coffee, SIZE);
    const bad: ImageInput[] = [
      Buffer.alloc(0),
      readImage('dragonfly.bmp'),
      pngBomb(100000, 100000),
      cat.subarray(0, 5000),
      Buffer.from('nope'),
    ];
    for (const input of bad) {
      await assert.rejects(prepareImage(input, SIZE), ImageError);
      const again = await prepareImage(coffee, SIZE);
      assert.deepEqual(again.rgb, reference.rgb);
    }
  });
});
