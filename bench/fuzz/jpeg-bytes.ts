/** Editing JPEG marker segments byte by byte. */

export interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF of the marker. */
  start: number;
  /** Offset just past the segment's payload. */
  end: number;
}

/** Segments from SOI up to and including the first SOS (the header part a decoder reads first). */
export function jpegHeaderSegments(jpeg: Buffer): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    const length = jpeg.readUInt16BE(i + 2);
    segments.push({ marker, start: i, end: i + 2 + length });
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return segments;
}

function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** The JPEG with its frame header claiming width × height (each 0..65535). */
export function withJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  const sof = jpegHeaderSegments(jpeg).find((s) => isSof(s.marker));
  if (!sof) throw new Error('no SOF segment');
  out.writeUInt16BE(height & 0xffff, sof.start + 5);
  out.writeUInt16BE(width & 0xffff, sof.start + 7);
  return out;
}

/** One APPn (or any) segment; the payload is cut to the 65,533 bytes a segment can hold. */
export function jpegSegment(marker: number, payload: Uint8Array): Buffer {
  const body = payload.subarray(0, 65533);
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** The JPEG with `extra` segments right after SOI. */
export function insertAfterSoi(jpeg: Buffer, extra: Buffer[]): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...extra, jpeg.subarray(2)]);
}
