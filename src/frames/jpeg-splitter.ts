/**
 * Splits a byte stream of concatenated JPEGs (MJPEG as `rpicam-vid --codec mjpeg -o -` or
 * `ffmpeg -f mjpeg -` write it) into one Buffer per frame.
 *
 * It walks the JPEG segment structure instead of searching for the next FFD9: an EXIF APP1
 * segment often holds a whole thumbnail JPEG with its own SOI/EOI, which a plain marker search
 * would cut the frame at. Chunks may split the stream at any byte; bytes outside frames are
 * skipped; a frame that grows past `maxFrameBytes` is dropped and the splitter resynchronises.
 */
export interface SplitterStats {
  frames: number;
  /** Frames dropped for a broken structure (a truncated frame followed by a new SOI, bad lengths). */
  corrupt: number;
  /** Frames dropped for growing past the size cap. */
  oversized: number;
  /** Bytes that were not part of any frame. */
  garbageBytes: number;
}

export interface FrameSplitter {
  /** Feeds the next chunk; returns the frames it completed, in order. */
  push(chunk: Buffer): Buffer[];
  readonly stats: SplitterStats;
}

enum S {
  SeekSoi,
  MarkerFF,
  MarkerCode,
  LengthHigh,
  LengthLow,
  SkipSegment,
  Entropy,
}

const SOI = Buffer.from([0xff, 0xd8]);
const SOS = 0xda;

export class JpegSplitter implements FrameSplitter {
  readonly stats: SplitterStats = { frames: 0, corrupt: 0, oversized: 0, garbageBytes: 0 };
  private state = S.SeekSoi;
  /** In SeekSoi/Entropy: the previous byte was 0xFF. */
  private afterFF = false;
  private marker = 0;
  private lengthHigh = 0;
  private skip = 0;
  /** Completed slices of the frame being assembled (earlier chunks). */
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(private readonly maxFrameBytes: number) {
    if (!(maxFrameBytes >= 4))
      throw new RangeError(`maxFrameBytes must be a number >= 4, got ${String(maxFrameBytes)}`);
  }

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    // Where the current frame's bytes start within this chunk (-1: no frame open).
    let start = this.state === S.SeekSoi ? -1 : 0;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case S.SeekSoi: {
          if (this.afterFF && chunk[i] === 0xd8) {
            this.openFrame();
            start = i + 1;
            i++;
            break;
          }
          if (this.afterFF) this.stats.garbageBytes++;
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            this.stats.garbageBytes += n - i;
            this.afterFF = false;
            i = n;
          } else {
            this.stats.garbageBytes += ff - i;
            this.afterFF = true;
            i = ff + 1;
          }
          break;
        }
        case S.MarkerFF:
          if (chunk[i] !== 0xff) {
            start = this.corrupt();
            break; // re-examine this byte as possible garbage/SOI
          }
          this.state = S.MarkerCode;
          i++;
          break;
        case S.MarkerCode: {
          const code = chunk[i]!;
          i++;
          if (code === 0xff) break; // fill byte
          start = this.onMarker(code, chunk, start, i, out);
          break;
        }
        case S.LengthHigh:
          this.lengthHigh = chunk[i]!;
          this.state = S.LengthLow;
          i++;
          break;
        case S.LengthLow: {
          const length = (this.lengthHigh << 8) | chunk[i]!;
          i++;
          if (length < 2) {
            start = this.corrupt();
            break;
          }
          this.skip = length - 2;
          this.state = this.skip > 0 ? S.SkipSegment : this.afterSegment();
          break;
        }
        case S.SkipSegment: {
          const take = Math.min(this.skip, n - i);
          this.skip -= take;
          i += take;
          if (this.skip === 0) this.state = this.afterSegment();
          break;
        }
        case S.Entropy: {
          if (this.afterFF) {
            const code = chunk[i]!;
            if (code === 0xff) {
              i++;
              break;
            }
            this.afterFF = false;
            i++;
            // Stuffed zero and restart markers belong to the scan data.
            if (code === 0x00 || (code >= 0xd0 && code <= 0xd7)) break;
            start = this.onMarker(code, chunk, start, i, out);
            break;
          }
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            i = n;
          } else {
            this.afterFF = true;
            i = ff + 1;
          }
          break;
        }
      }
      if (start >= 0 && this.partBytes + (i - start) > this.maxFrameBytes) {
        this.stats.oversized++;
        this.reset();
        start = -1;
      }
    }
    if (start >= 0 && this.state !== S.SeekSoi) this.keep(chunk.subarray(start, n));
    return out;
  }

  /**
   * Handles a marker code inside a frame (`end` is just past it); pushes the frame to `out` on
   * EOI. Returns where the open frame starts in this chunk (-1: none open).
   */
  private onMarker(code: number, chunk: Buffer, start: number, end: number, out: Buffer[]): number {
    this.marker = code;
    if (code === 0xd9) {
      if (start >= 0) this.keep(chunk.subarray(start, end));
      out.push(Buffer.concat(this.parts, this.partBytes));
      this.reset();
      this.stats.frames++;
      return -1;
    }
    if (code === 0xd8) {
      // A new frame began before the old one ended: the old one was truncated.
      this.stats.corrupt++;
      this.openFrame();
      return end;
    }
    // Markers without a length field are followed directly by the next marker.
    this.state = code === 0x01 || (code >= 0xd0 && code <= 0xd7) ? S.MarkerFF : S.LengthHigh;
    return start;
  }

  private afterSegment(): S {
    if (this.marker === SOS) {
      this.afterFF = false;
      return S.Entropy;
    }
    return S.MarkerFF;
  }

  private openFrame(): void {
    this.parts = [SOI];
    this.partBytes = SOI.length;
    this.afterFF = false;
    this.state = S.MarkerFF;
  }

  private keep(slice: Buffer): void {
    if (slice.length === 0) return;
    // Copy: the caller may reuse its chunk buffers.
    this.parts.push(Buffer.from(slice));
    this.partBytes += slice.length;
  }

  /** Drops the broken frame and resumes the search for SOI at the current byte. */
  private corrupt(): number {
    this.stats.corrupt++;
    this.reset();
    return -1;
  }

  private reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.afterFF = false;
    this.state = S.SeekSoi;
  }
}
