import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { findTruncation } from '../../src/image/completeness';
import { readImage } from '../fixtures';

describe('findTruncation', function () {
  const jpegs = ['parrot.jpg', 'cat_720p.jpg', 'owl.jpg', 'hot_dog.jpg', 'rocket.jpg'];

  for (const file of jpegs) {
    it(`finds the fixture ${file} complete and every shorter cut of it truncated`, function () {
      const bytes = readImage(file);
      assert.equal(findTruncation(bytes, 'jpeg'), undefined);
      for (const cut of [4, 100, 1000, bytes.length >> 1, bytes.length - 100, bytes.length - 1]) {
        assert.match(
          findTruncation(bytes.subarray(0, cut), 'jpeg') ?? 'complete',
          /end-of-image|stray/,
          `cut at ${cut}`,
        );
      }
    });
  }

  it('finds progressive JPEGs, restart markers and data after the end marker complete', async function () {
    const progressive = await sharp(readImage('owl.jpg')).jpeg({ progressive: true }).toBuffer();
    assert.equal(findTruncation(progressive, 'jpeg'), undefined);
    assert.match(findTruncation(progressive.subarray(0, progressive.length >> 1), 'jpeg') ?? '', /end-of-image/);
    // A motion photo or a camera trailer carries more bytes after the image's end marker.
    assert.equal(findTruncation(Buffer.concat([readImage('owl.jpg'), Buffer.alloc(5000, 0xab)]), 'jpeg'), undefined);
  });

  it(
    'accepts extraneous bytes between header segments, as libjpeg does (it warns and decodes), and still spots ' +
      'a cut',
    async function () {
      const owl = readImage('owl.jpg');
      const afterApp0 = 4 + ((owl[4] << 8) | owl[5]); // SOI, then APP0's marker and length
      assert.equal(owl[afterApp0], 0xff, 'the next segment starts right after APP0');
      const padded = Buffer.concat([
        owl.subarray(0, afterApp0),
        Buffer.from([0x00, 0x00, 0x0d, 0x0a]),
        owl.subarray(afterApp0),
      ]);
      assert.equal(findTruncation(padded, 'jpeg'), undefined);
      assert.match(findTruncation(padded.subarray(0, padded.length >> 1), 'jpeg') ?? 'complete', /end-of-image/);
      // libvips decodes it to the very pixels of the untouched file.
      const pixels = (bytes: Buffer): Promise<Buffer> =>
        sharp(bytes, { failOn: 'truncated' }).resize(64, 64).raw().toBuffer();
      assert.ok((await pixels(padded)).equals(await pixels(owl)));
    },
  );

  it('finds the PNG fixtures complete and cuts of them truncated', function () {
    for (const file of ['coffee.png', 'chelsea.png', 'astronaut.png']) {
      const bytes = readImage(file);
      assert.equal(findTruncation(bytes, 'png'), undefined, file);
      for (const cut of [8, 33, bytes.length >> 1, bytes.length - 12]) {
        assert.match(findTruncation(bytes.subarray(0, cut), 'png') ?? 'complete', /IEND/, `${file} cut at ${cut}`);
      }
    }
  });

  it('leaves other formats to their decoders', function () {
    assert.equal(findTruncation(Buffer.from('GIF89a'), 'gif'), undefined);
  });
});
