import assert from 'node:assert/strict';
import sharp from 'sharp';
import { boundaryFromContentType, MultipartJpegSplitter } from '../../src/frames/multipart-splitter';
import { readImage } from '../fixtures';
import { ESP32_BOUNDARY } from './mjpeg-server';

function part(jpeg: Buffer, boundary: string, contentLength: boolean): Buffer {
  const headers = contentLength
    ? `Content-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`
    : 'Content-Type: image/jpeg\r\n\r\n';
  return Buffer.concat([Buffer.from(`\r\n--${boundary}\r\n${headers}`, 'latin1'), jpeg]);
}

describe('frames/MultipartJpegSplitter', () => {
  let a: Buffer;
  let b: Buffer;

  before(async () => {
    const parrot = readImage('parrot.jpg');
    a = await sharp(parrot).resize(20).jpeg({ quality: 50 }).toBuffer();
    b = await sharp(readImage('owl.jpg')).resize(16).jpeg({ quality: 50 }).toBuffer();
  });

  it('reads the boundary from Content-Type, quoted or not', () => {
    assert.equal(boundaryFromContentType(`multipart/x-mixed-replace;boundary=${ESP32_BOUNDARY}`), ESP32_BOUNDARY);
    assert.equal(boundaryFromContentType('multipart/x-mixed-replace; boundary="--myboundary"'), '--myboundary');
    assert.equal(boundaryFromContentType('image/jpeg'), undefined);
    assert.equal(boundaryFromContentType(undefined), undefined);
  });

  for (const contentLength of [true, false]) {
    it(`splits at every byte offset into the same frames (${contentLength ? 'Content-Length' : 'markers'})`, () => {
      const stream = Buffer.concat([
        part(a, ESP32_BOUNDARY, contentLength),
        part(b, ESP32_BOUNDARY, contentLength),
        part(a, ESP32_BOUNDARY, contentLength),
      ]);
      for (let cut = 0; cut <= stream.length; cut++) {
        const s = new MultipartJpegSplitter(ESP32_BOUNDARY, 1 << 20);
        const frames = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
        assert.equal(frames.length, 3, `cut at ${cut}`);
        assert.ok(frames[0]!.equals(a) && frames[1]!.equals(b) && frames[2]!.equals(a), `cut at ${cut}`);
      }
    });
  }

  it('takes the JPEG by Content-Length even when its bytes would fool a marker search', () => {
    // parrot.jpg carries EXIF thumbnails with their own SOI/EOI.
    const parrot = readImage('parrot.jpg');
    const s = new MultipartJpegSplitter('frame', 8 << 20);
    const frames = s.push(Buffer.concat([part(parrot, 'frame', true), part(a, 'frame', true)]));
    assert.equal(frames.length, 2);
    assert.ok(frames[0]!.equals(parrot));
    assert.ok(frames[1]!.equals(a));
  });

  it('accepts a boundary declared with its leading dashes', () => {
    // Some IP cameras declare boundary=--myboundary and then write --myboundary between parts.
    const stream = Buffer.concat([
      Buffer.from(`--myboundary\r\nContent-Type: image/jpeg\r\nContent-Length: ${a.length}\r\n\r\n`, 'latin1'),
      a,
      Buffer.from(`\r\n--myboundary\r\nContent-Length: ${b.length}\r\n\r\n`, 'latin1'),
      b,
    ]);
    const s = new MultipartJpegSplitter('--myboundary', 1 << 20);
    const frames = s.push(stream);
    assert.equal(frames.length, 2);
    assert.ok(frames[1]!.equals(b));
  });

  it('skips parts above the size cap and parts that are not JPEGs, then carries on', () => {
    const text = Buffer.from('hello');
    const stream = Buffer.concat([
      part(readImage('parrot.jpg'), 'frame', true),
      Buffer.from(`\r\n--frame\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n`, 'latin1'),
      text,
      part(a, 'frame', true),
    ]);
    const s = new MultipartJpegSplitter('frame', 64 * 1024);
    const frames = s.push(stream);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.equals(a));
    assert.equal(s.stats.oversized, 1);
    assert.equal(s.stats.corrupt, 1);
  });

  it('tolerates a Content-Length that counts the trailing CRLF', () => {
    const padded = Buffer.concat([a, Buffer.from('\r\n')]);
    const stream = Buffer.concat([
      Buffer.from(`--frame\r\nContent-Length: ${padded.length}\r\n\r\n`, 'latin1'),
      padded,
      part(b, 'frame', true),
    ]);
    const frames = new MultipartJpegSplitter('frame', 1 << 20).push(stream);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]!.equals(a));
    assert.ok(frames[1]!.equals(b));
  });
});
