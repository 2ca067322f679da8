import * as assert from 'node:assert/strict';
import { ImageError } from '../../src/image/errors';
import { prepareImage } from '../../src/image/preprocess';
import type { PreprocessOptions } from '../../src/image/types';
import { readImage } from '../fixtures';
import {
  iCCP,
  iTXtCompressed,
  jpegWithSegments,
  pngTextBomb,
  tEXt,
  withPngChunks,
  zeros,
  zTXt,
} from './metadata-bombs';

const SIZE: PreprocessOptions = { width: 224, height: 224 };
const MiB = 1024 * 1024;

async function refusal(bytes: Buffer, options: PreprocessOptions = SIZE): Promise<ImageError> {
  const error = await prepareImage(bytes, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(
    error instanceof ImageError,
    `expected a refusal, got ${error === undefined ? 'a decoded image' : String(error)}`,
  );
  return error;
}

describe('prepareImage: metadata bombs are refused before decoding', function () {
  const coffee = readImage('coffee.png');
  const owl = readImage('owl.jpg');

  it(
    'a PNG with 8 zTXt chunks inflating to 8 MiB each (64 MiB from ~360 KB): TOO_LARGE naming the metadata, memory ' +
      'flat',
    async function () {
      const bomb = pngTextBomb(8, 8);
      assert.ok(bomb.length < 1 * MiB, `bomb is ${bomb.length} bytes`);
      const peakBefore = process.resourceUsage().maxRSS * 1024;
      const rssBefore = process.memoryUsage().rss;
      const error = await refusal(bomb);
      assert.equal(error.code, 'TOO_LARGE');
      assert.match(
        error.message,
        new RegExp(
          String.raw`^PNG image refused before decoding: its metadata \(text, EXIF, XMP, ICC profile\) inflates` +
            String.raw` to more than 16\.0 MiB`,
        ),
      );
      assert.match(
        error.message,
        /at most 1024 metadata segments and 16\.0 MiB of metadata in all \(maxMetadataBytes\)/,
      );
      // Loose on purpose (the machine is shared): the check inflates at most 16 MiB; decoding took ~400 MB.
      const grew = Math.max(process.memoryUsage().rss - rssBefore, process.resourceUsage().maxRSS * 1024 - peakBefore);
      assert.ok(grew < 150 * MiB, `memory grew by ${(grew / MiB).toFixed(0)} MiB`);
    },
  );

  const bombs: Array<[string, () => Buffer, RegExp, Partial<PreprocessOptions>?]> = [
    [
      'one compressed iTXt chunk of 20 MiB',
      () => withPngChunks(coffee, [iTXtCompressed('XML:com.adobe.xmp', zeros(20))]),
      /inflates to more than 16\.0 MiB/,
    ],
    [
      'one iCCP profile of 20 MiB (read even when the profile is ignored)',
      () => withPngChunks(coffee, [iCCP('bomb', zeros(20))]),
      /inflates to more than 16\.0 MiB/,
    ],
    [
      'a zTXt of 3 MiB under maxMetadataBytes 1 MiB',
      () => withPngChunks(coffee, [zTXt('Comment', zeros(3))]),
      /inflates to more than 1\.0 MiB/,
      { maxMetadataBytes: MiB },
    ],
    [
      'a plain tEXt of 2 MiB under maxMetadataBytes 1 MiB',
      () => withPngChunks(coffee, [tEXt('Comment', Buffer.alloc(2 * MiB, 0x41))]),
      /holds 2\.0 MiB/,
      { maxMetadataBytes: MiB },
    ],
    [
      '1100 tiny tEXt chunks',
      () =>
        withPngChunks(
          coffee,
          Array.from({ length: 1100 }, (_, i) => tEXt(`k${i}`, 'v')),
        ),
      /is split into 1100 segments/,
    ],
    [
      'a corrupt zlib stream long enough to inflate past the limit',
      // A zlib header, then a block of the reserved type 3: zlib stops at once, so its size is unknown.
      () =>
        withPngChunks(coffee, [zTXt('Comment', Buffer.concat([Buffer.from([0x78, 0x9c]), Buffer.alloc(20000, 0xff)]))]),
      /corrupt compressed chunk/,
    ],
    [
      'a JPEG with 1100 COM segments (on top of its own APP0/APP1)',
      () => jpegWithSegments(owl, 0xfe, 1100, 10),
      /^JPEG image refused before decoding: .* is split into 110\d segments/,
    ],
    [
      'a JPEG with 20 APP1 segments of 60 KiB under maxMetadataBytes 1 MiB',
      () => jpegWithSegments(owl, 0xe1, 20, 60 * 1024),
      /^JPEG image .* holds 1\.2 MiB/,
      { maxMetadataBytes: MiB },
    ],
  ];
  for (const [what, make, message, options] of bombs) {
    it(`${what}: TOO_LARGE before decoding`, async function () {
      const error = await refusal(make(), { ...SIZE, ...options });
      assert.equal(error.code, 'TOO_LARGE', error.message);
      assert.match(error.message, /refused before decoding/);
      assert.match(error.message, message);
    });
  }

  it(
    'ordinary metadata still decodes: text, a small zTXt, a 1 MiB zTXt, XMP-sized APP1 segments, and every fixture ' +
      'photo',
    async function () {
      const plain = await prepareImage(coffee, SIZE);
      const withText = withPngChunks(coffee, [
        tEXt('Software', 'camera 1.0'),
        zTXt('Comment', zeros(0.01)),
        zTXt('Description', zeros(1)),
      ]);
      const decoded = await prepareImage(withText, SIZE);
      assert.deepEqual(decoded.source, { width: 600, height: 400, format: 'png' });
      assert.ok(Buffer.from(decoded.rgb).equals(Buffer.from(plain.rgb)), 'the text chunks changed the pixels');
      const xmp = await prepareImage(jpegWithSegments(owl, 0xe1, 3, 60 * 1024), SIZE);
      assert.equal(xmp.source.format, 'jpeg');
      for (const file of [
        'astronaut.png',
        'chelsea.png',
        'dragonfly.png',
        'grace_hopper.png',
        'cat_720p.jpg',
        'hot_dog.jpg',
        'parrot.jpg',
        'rocket.jpg',
      ]) {
        await prepareImage(readImage(file), SIZE);
      }
    },
  );

  it('the limit is an option: maxMetadataBytes must be a positive number', async function () {
    await assert.rejects(
      prepareImage(coffee, { ...SIZE, maxMetadataBytes: 0 }),
      /maxMetadataBytes must be a positive number of bytes, got 0/,
    );
    await assert.rejects(
      prepareImage(coffee, { ...SIZE, maxMetadataBytes: '1e6' as never }),
      /maxMetadataBytes must be a positive number of bytes, got the string "1e6"/,
    );
    await prepareImage(withPngChunks(coffee, [zTXt('Comment', zeros(20))]), { ...SIZE, maxMetadataBytes: 32 * MiB });
  });
});
