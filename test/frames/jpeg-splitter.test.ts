import assert from 'node:assert/strict';
import sharp from 'sharp';
import { JpegSplitter } from '../../src/frames/jpeg-splitter';
import { readImage } from '../fixtures';

/** Counts SOI markers anywhere in the bytes (thumbnails included). */
function countSoi(buf: Buffer): number {
  let n = 0;
  for (let i = 0; i + 1 < buf.length; i++) if (buf[i] === 0xff && buf[i + 1] === 0xd8) n++;
  return n;
}

function splitAll(splitter: JpegSplitter, chunks: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const c of chunks) frames.push(...splitter.push(c));
  return frames;
}

describe('frames/JpegSplitter', () => {
  let small: Buffer;
  let smallGrey: Buffer;
  const parrot = readImage('parrot.jpg');

  before(async () => {
    small = await sharp(parrot).resize(24).jpeg({ quality: 60 }).toBuffer();
    smallGrey = await sharp(parrot).resize(16).greyscale().jpeg({ quality: 50, progressive: true }).toBuffer();
  });

  it('keeps a JPEG whole even when its EXIF thumbnail carries its own SOI/EOI', () => {
    // parrot.jpg (a real camera photo) embeds thumbnails: a plain FFD8..FFD9 search cuts it short.
    assert.ok(countSoi(parrot) > 1, 'fixture is expected to embed a thumbnail');
    const s = new JpegSplitter(8 << 20);
    const frames = splitAll(s, [parrot, parrot]);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]!.equals(parrot));
    assert.ok(frames[1]!.equals(parrot));
    assert.equal(s.stats.corrupt, 0);
  });

  it('finds the same frames wherever the stream is cut, skipping garbage between frames', () => {
    const garbage1 = Buffer.from('--boundary\r\nContent-Type: image/jpeg\r\n\r\n', 'latin1');
    // A stray SOI followed by nonsense must not swallow the next real frame.
    const garbage2 = Buffer.from([0x00, 0xff, 0xd8, 0x12, 0x34, 0xff, 0xff]);
    const stream = Buffer.concat([garbage1, small, garbage2, smallGrey, Buffer.from('\r\n'), small]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = new JpegSplitter(1 << 20);
      const frames = splitAll(s, [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.equal(frames.length, 3, `cut at ${cut}`);
      assert.ok(frames[0]!.equals(small), `cut at ${cut}`);
      assert.ok(frames[1]!.equals(smallGrey), `cut at ${cut}`);
      assert.ok(frames[2]!.equals(small), `cut at ${cut}`);
    }
  });

  it('handles one-byte chunks of a real photo', () => {
    const s = new JpegSplitter(8 << 20);
    const frames: Buffer[] = [];
    for (let i = 0; i < parrot.length; i++) frames.push(...s.push(parrot.subarray(i, i + 1)));
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.equals(parrot));
  });

  it('yields frames that decode', async () => {
    const s = new JpegSplitter(1 << 20);
    const [frame] = s.push(Buffer.concat([Buffer.from('xx'), small]));
    const meta = await sharp(frame!).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 24);
  });

  it('drops a truncated frame and recovers at the next SOI', () => {
    const truncated = small.subarray(0, Math.floor(small.length * 0.7));
    const s = new JpegSplitter(1 << 20);
    const frames = splitAll(s, [truncated, small]);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.equals(small));
    assert.equal(s.stats.corrupt, 1);
  });

  it('drops frames above the size cap without buffering them, then resumes', () => {
    const s = new JpegSplitter(small.length + 10);
    const frames = splitAll(s, [parrot.subarray(0, 1000), parrot.subarray(1000), small]);
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.equals(small));
    assert.ok(s.stats.oversized >= 1);
  });

  it('rejects a nonsensical size cap', () => {
    assert.throws(() => new JpegSplitter(0), /maxFrameBytes must be a number >= 4/);
  });
});
