import * as assert from 'node:assert/strict';
import { ImageError } from '../../src/image/errors';
import { toImageInput } from '../../src/image/input';
import { prepareImage } from '../../src/image/preprocess';
import { readImage } from '../fixtures';

function isError(code: ImageError['code'], message: RegExp) {
  return (e: unknown) => e instanceof ImageError && e.code === code && message.test(e.message);
}

describe('toImageInput', function () {
  const jpeg = readImage('parrot.jpg');

  it('passes a Buffer or Uint8Array of encoded bytes through untouched', function () {
    assert.equal(toImageInput(jpeg), jpeg);
    const bytes = new Uint8Array(jpeg);
    assert.equal(toImageInput(bytes), bytes);
  });

  it('decodes a data URL to the same bytes, and the result classifies like the file', async function () {
    const url = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
    const input = toImageInput(url);
    assert.ok(input instanceof Uint8Array);
    assert.ok(Buffer.from(input).equals(jpeg));
    const a = await prepareImage(input, { width: 64, height: 64 });
    const b = await prepareImage(jpeg, { width: 64, height: 64 });
    assert.deepEqual(a.rgb, b.rgb);
  });

  it('decodes a bare base64 string, also with line breaks or in the URL-safe alphabet', function () {
    const png = readImage('coffee.png');
    const wrapped = png.toString('base64').replace(/.{76}/g, '$&\n');
    assert.ok(Buffer.from(toImageInput(wrapped) as Uint8Array).equals(png));
    assert.ok(Buffer.from(toImageInput(png.toString('base64url')) as Uint8Array).equals(png));
  });

  it('accepts {data, width, height, channels} as raw pixels', function () {
    const data = new Uint8Array(2 * 2 * 3);
    assert.deepEqual(toImageInput({ data, width: 2, height: 2, channels: 3 }), {
      data,
      width: 2,
      height: 2,
      channels: 3,
    });
  });

  it('turns bytes plus msg geometry into raw pixels, accepting numeric strings', function () {
    const data = Buffer.alloc(4 * 3);
    assert.deepEqual(toImageInput(data, { width: '2', height: 2, channels: 3 }), {
      data,
      width: 2,
      height: 2,
      channels: 3,
    });
  });

  it('revives a Buffer that went through JSON ({type: "Buffer", data: [...]})', function () {
    const revived = toImageInput(JSON.parse(JSON.stringify(jpeg.subarray(0, 16))));
    assert.ok(Buffer.from(revived as Uint8Array).equals(jpeg.subarray(0, 16)));
  });

  it('accepts canvas-style Uint8ClampedArray pixels', function () {
    const data = new Uint8ClampedArray(4);
    const input = toImageInput({ data, width: 1, height: 1, channels: 4 });
    assert.ok(!(input instanceof Uint8Array) && input.data instanceof Uint8Array && input.data.length === 4);
  });

  it('says EMPTY for nothing: undefined, null, "", an empty buffer', function () {
    for (const value of [undefined, null, '', '   ', Buffer.alloc(0), 'data:image/png;base64,']) {
      assert.throws(() => toImageInput(value), isError('EMPTY', /./), String(value));
    }
  });

  it('says INVALID_INPUT, listing what is accepted, for numbers, plain objects, arrays and paths', function () {
    for (const value of [42, true, { temperature: 21 }, [1, 2, 3], '/home/pi/snapshot.jpg']) {
      assert.throws(
        () => toImageInput(value),
        isError('INVALID_INPUT', /Accepted: a Buffer\/Uint8Array/),
        JSON.stringify(value),
      );
    }
    assert.throws(
      () => toImageInput('/home/pi/snapshot.jpg'),
      isError('INVALID_INPUT', /file paths are read by the classify node/),
    );
  });

  it('refuses a data URL that is not an image or not base64', function () {
    assert.throws(
      () => toImageInput('data:text/plain;base64,aGVsbG8='),
      isError('INVALID_INPUT', /media type "text\/plain"/),
    );
    assert.throws(() => toImageInput('data:image/svg+xml,<svg/>'), isError('INVALID_INPUT', /not base64-encoded/));
    assert.throws(() => toImageInput('data:image/png;base64,***'), isError('INVALID_INPUT', /not valid base64/));
  });

  it('refuses incomplete or nonsense raw geometry, naming the field', function () {
    assert.throws(
      () => toImageInput(Buffer.alloc(12), { width: 2, height: 2 }),
      isError('INVALID_INPUT', /channels must be a positive integer, got undefined/),
    );
    assert.throws(
      () => toImageInput({ data: Buffer.alloc(12), width: -2, height: 2, channels: 3 }),
      isError('INVALID_INPUT', /width must be a positive integer, got -2/),
    );
    assert.throws(
      () => toImageInput({ data: 'pixels', width: 2, height: 2, channels: 3 }),
      isError('INVALID_INPUT', /raw image data must be a Buffer/),
    );
  });
});
