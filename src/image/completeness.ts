/*
 * libvips decodes lazily: when the crop (cover fit, ROI) needs only the top of a frame it never
 * reads the rest, so a JPEG or PNG cut short below that point decodes "successfully". A truncated
 * frame means a broken source (partial HTTP snapshot, full disk, dropped packets), which the user
 * should hear about, so the container structure is checked for its end marker up front. Walking
 * the markers costs well under a millisecond per frame. (libwebp already refuses a short WebP.)
 */

/** Why an encoded image is incomplete, or undefined when its container ends properly. */
export function findTruncation(bytes: Uint8Array, format: string): string | undefined {
  switch (format) {
    case 'jpeg':
      return jpegTruncation(bytes);
    case 'png':
      return pngTruncation(bytes);
    default:
      return undefined;
  }
}

const JPEG_EOI = 0xd9;
const JPEG_SOS = 0xda;

function isStandaloneJpegMarker(marker: number): boolean {
  // TEM and RST0..7 carry no length field.
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

function jpegTruncation(b: Uint8Array): string | undefined {
  let i = 2; // after SOI
  while (i < b.length) {
    // Bytes where a marker should be: libjpeg warns ("extraneous bytes before marker") and skips
    // to the next 0xFF, and so does this walk; a frame that decodes must not be refused here.
    if (b[i] !== 0xff) {
      i = b.indexOf(0xff, i);
      if (i < 0) break;
    }
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) break;
    const marker = b[i++];
    if (marker === JPEG_EOI) return undefined;
    if (isStandaloneJpegMarker(marker)) continue;
    if (i + 2 > b.length) break;
    i += (b[i] << 8) | b[i + 1];
    if (marker === JPEG_SOS) {
      i = endOfEntropyCodedData(b, i);
    }
  }
  return 'JPEG ends before its end-of-image marker';
}

/** Index of the next real marker after entropy-coded data (byte stuffing and restarts skipped). */
function endOfEntropyCodedData(b: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    i = b.indexOf(0xff, i);
    if (i < 0 || i + 1 >= b.length) return b.length;
    const next = b[i + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
      i += next === 0xff ? 1 : 2;
      continue;
    }
    return i;
  }
}

function pngTruncation(b: Uint8Array): string | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 8; // after the signature
  while (i + 8 <= b.length) {
    const length = view.getUint32(i);
    const isIend = b[i + 4] === 0x49 && b[i + 5] === 0x45 && b[i + 6] === 0x4e && b[i + 7] === 0x44;
    if (isIend) return undefined;
    i += 12 + length;
  }
  return 'PNG ends before its IEND chunk';
}
