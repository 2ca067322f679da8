import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { ImageError } from '../../src/image/errors';
import { prepareImage } from '../../src/image/preprocess';
import { readImage } from '../fixtures';

/** owl.jpg with its frame header claiming `width`×`height`. */
function jpegClaiming(width: number, height: number): Buffer {
  const bytes = Buffer.from(readImage('owl.jpg'));
  for (let i = 2; i < bytes.length; i += 2 + bytes.readUInt16BE(i + 2)) {
    if (bytes[i + 1] >= 0xc0 && bytes[i + 1] <= 0xc2) {
      bytes.writeUInt16BE(height, i + 5);
      bytes.writeUInt16BE(width, i + 7);
      return bytes;
    }
  }
  throw new Error('no SOF segment');
}

describe('prepareImage: libvips failures said in our words, naming the format', function () {
  const cases: Array<[string, () => Promise<Buffer>, ImageError['code'], RegExp]> = [
    [
      'a JPEG claiming 0×0 (was "THIS variant cannot be decoded")',
      async () => jpegClaiming(0, 0),
      'TRUNCATED',
      new RegExp(
        String.raw`^JPEG header declares a width or height of 0, so there is nothing to decode .*Accepted:` +
          String.raw` images whose header gives their real width and height\.$`,
      ),
    ],
    [
      'a JPEG claiming 640×0',
      async () => jpegClaiming(640, 0),
      'TRUNCATED',
      /^JPEG header declares a width or height of 0/,
    ],
    [
      'a PNG whose IHDR claims width 0',
      async () => {
        const png = Buffer.from(readImage('coffee.png'));
        png.writeUInt32BE(0, 16);
        return png;
      },
      'TRUNCATED',
      new RegExp(
        String.raw`^PNG image header is truncated or corrupt: the file is damaged, cut short, or not what its` +
          String.raw` first bytes claim\. .*Accepted: JPEG, PNG`,
      ),
    ],
    [
      'a GIF whose header claims 0×0 (libnsgif decoded it as 1×1 and it was classified)',
      async () => {
        const gif = Buffer.from(await sharp(readImage('owl.jpg')).resize(64, 64).gif().toBuffer());
        gif.writeUInt16LE(0, 6);
        gif.writeUInt16LE(0, 8);
        return gif;
      },
      'TRUNCATED',
      /^GIF header declares a width or height of 0, so there is nothing to decode/,
    ],
    [
      'a WebP cut inside its header',
      async () => (await sharp(readImage('coffee.png')).webp().toBuffer()).subarray(0, 20),
      'TRUNCATED',
      /^WEBP image header is truncated or corrupt \(webp: unable to parse image\)/,
    ],
  ];
  for (const [what, make, code, message] of cases) {
    it(what, async function () {
      const error = await prepareImage(await make(), { width: 224, height: 224 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ImageError, String(error));
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /THIS|undefined/);
    });
  }
});
