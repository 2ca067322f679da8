import { JpegSplitter, type FrameSplitter, type SplitterStats } from './jpeg-splitter';

/** Part headers longer than this are not headers: the stream is resynchronised. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Cameras that count the CRLF after the JPEG into Content-Length: tolerate that much slack. */
const TRAILING_SLACK = 8;

/**
 * The boundary token declared in a `multipart/x-mixed-replace; boundary=...` Content-Type,
 * unquoted, or undefined when there is none.
 */
export function boundaryFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const token = match?.[1] ?? match?.[2];
  return token && token.length > 0 ? token : undefined;
}

/**
 * Splits a `multipart/x-mixed-replace` body (ESP32-CAM, IP cameras) into JPEG frames.
 * Parts are found by their boundary and read by Content-Length, which survives JPEGs whose
 * bytes would confuse a marker search. A camera that sends no Content-Length is handed to the
 * marker-walking JpegSplitter for the rest of the stream (headers and boundaries then count as
 * bytes between frames).
 *
 * Many cameras declare `boundary=--frame` and then also write `--frame` between parts (not
 * `----frame`), so the delimiter searched for is the token with a `--` prefix only when the
 * declared token lacks one.
 */
export class MultipartJpegSplitter implements FrameSplitter {
  readonly stats: SplitterStats = { frames: 0, corrupt: 0, oversized: 0, garbageBytes: 0 };
  private readonly delimiter: Buffer;
  private mode: 'headers' | 'body' | 'skip' | 'markers' = 'headers';
  private pending: Buffer = Buffer.alloc(0);
  private body: Buffer = Buffer.alloc(0);
  private filled = 0;
  private skipLeft = 0;
  private markers?: JpegSplitter;
  private beforeMarkers: SplitterStats = { frames: 0, corrupt: 0, oversized: 0, garbageBytes: 0 };

  constructor(
    boundary: string,
    private readonly maxFrameBytes: number,
  ) {
    if (boundary.length === 0) throw new RangeError('multipart boundary must be a non-empty string');
    if (!(maxFrameBytes >= 4))
      throw new RangeError(`maxFrameBytes must be a number >= 4, got ${String(maxFrameBytes)}`);
    this.delimiter = Buffer.from(boundary.startsWith('--') ? boundary : `--${boundary}`, 'latin1');
  }

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let rest: Buffer = chunk;
    while (rest.length > 0) {
      switch (this.mode) {
        case 'markers':
          for (const frame of this.markers!.push(rest)) out.push(frame);
          this.syncMarkerStats();
          return out;
        case 'skip': {
          const take = Math.min(this.skipLeft, rest.length);
          this.skipLeft -= take;
          rest = rest.subarray(take);
          if (this.skipLeft === 0) this.mode = 'headers';
          break;
        }
        case 'body': {
          const take = Math.min(this.body.length - this.filled, rest.length);
          rest.copy(this.body, this.filled, 0, take);
          this.filled += take;
          rest = rest.subarray(take);
          if (this.filled === this.body.length) {
            const frame = this.validJpeg(this.body);
            if (frame) out.push(frame);
            this.mode = 'headers';
          }
          break;
        }
        case 'headers':
          rest = this.readHeaders(rest);
          break;
      }
    }
    return out;
  }

  /** Consumes part headers; returns the bytes that follow them (empty while incomplete). */
  private readHeaders(chunk: Buffer): Buffer {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const at = buf.indexOf(this.delimiter);
    if (at < 0) {
      // Keep a tail long enough to hold a delimiter split across chunks.
      const keep = Math.min(buf.length, this.delimiter.length - 1);
      this.stats.garbageBytes += buf.length - keep;
      this.pending = Buffer.from(buf.subarray(buf.length - keep));
      return Buffer.alloc(0);
    }
    const end = headerEnd(buf, at + this.delimiter.length);
    if (!end) {
      if (buf.length - at > MAX_HEADER_BYTES) {
        // A delimiter followed by no header block: skip past it and look for the next one.
        this.stats.garbageBytes += at + this.delimiter.length;
        this.pending = Buffer.alloc(0);
        return buf.subarray(at + this.delimiter.length);
      }
      this.stats.garbageBytes += at;
      this.pending = Buffer.from(buf.subarray(at));
      return Buffer.alloc(0);
    }
    this.stats.garbageBytes += at;
    this.pending = Buffer.alloc(0);
    const headers = buf.subarray(at + this.delimiter.length, end.start).toString('latin1');
    const after = buf.subarray(end.stop);
    const length = /(?:^|\n)\s*content-length\s*:\s*(\d+)/i.exec(headers);
    if (!length) {
      this.markers = new JpegSplitter(this.maxFrameBytes);
      this.beforeMarkers = { ...this.stats };
      this.mode = 'markers';
      return after;
    }
    const size = Number(length[1]);
    if (size > this.maxFrameBytes) {
      this.stats.oversized++;
      this.skipLeft = size;
      this.mode = size > 0 ? 'skip' : 'headers';
      return after;
    }
    this.body = Buffer.allocUnsafe(size);
    this.filled = 0;
    this.mode = 'body';
    if (size === 0) {
      this.stats.corrupt++;
      this.mode = 'headers';
    }
    return after;
  }

  /** The part as a JPEG (SOI at the start, EOI at or just before the end), else undefined. */
  private validJpeg(body: Buffer): Buffer | undefined {
    if (body.length >= 4 && body[0] === 0xff && body[1] === 0xd8) {
      for (let end = body.length; end >= Math.max(4, body.length - TRAILING_SLACK); end--) {
        if (body[end - 2] === 0xff && body[end - 1] === 0xd9) {
          this.stats.frames++;
          return end === body.length ? body : body.subarray(0, end);
        }
      }
    }
    this.stats.corrupt++;
    return undefined;
  }

  private syncMarkerStats(): void {
    const m = this.markers!.stats;
    // Parts read by length before the switch stay counted; the marker splitter adds its own.
    const b = this.beforeMarkers;
    this.stats.frames = b.frames + m.frames;
    this.stats.corrupt = b.corrupt + m.corrupt;
    this.stats.oversized = b.oversized + m.oversized;
    this.stats.garbageBytes = b.garbageBytes + m.garbageBytes;
  }
}

/** Finds the blank line ending a header block (CRLF CRLF, or bare LF LF from sloppy servers). */
function headerEnd(buf: Buffer, from: number): { start: number; stop: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { start: crlf, stop: crlf + 4 };
  if (lf >= 0) return { start: lf, stop: lf + 2 };
  return undefined;
}
