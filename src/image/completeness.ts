/*
 * One walk over a JPEG's segments or a PNG's chunks, before libvips sees the bytes, answering two
 * questions:
 *
 * - Is the container complete? libvips decodes lazily: when the crop (cover fit, ROI) needs only
 *   the top of a frame it never reads the rest, so a JPEG or PNG cut short below that point decodes
 *   "successfully". A truncated frame means a broken source (partial HTTP snapshot, full disk,
 *   dropped packets), which the user should hear about, so the end marker is looked for up front.
 * - How much metadata does it carry? The pixel limit only sees width × height, but a PNG's zTXt,
 *   iTXt and iCCP chunks are deflate streams that inflate ~1000:1 when libvips reads the header: a
 *   1 MB file can hold gigabytes of "text". metadata-budget.ts bounds what is reported here.
 *
 * Walking the markers costs well under a millisecond per frame. (libwebp already refuses a short
 * WebP; WebP, GIF, TIFF and AVIF metadata is stored uncompressed, so it is bounded by the input.)
 */

/** What one walk over an encoded image's container found. */
export interface ContainerReport {
  /** Why the container is incomplete, or undefined when it ends properly. */
  truncation: string | undefined;
  /** Metadata segments/chunks: JPEG APPn and COM; PNG tEXt, zTXt, iTXt, iCCP, eXIf, sPLT. */
  metadataCount: number;
  /** Their bytes as stored, compressed payloads excluded (they are listed in `compressed`). */
  storedMetadataBytes: number;
  /** zlib streams inside PNG metadata chunks (zTXt, compressed iTXt, iCCP), in file order. */
  compressed: Uint8Array[];
}

/** The container formats walked here, recognised by their signatures (before any decoder runs). */
export function sniffContainer(bytes: Uint8Array): 'jpeg' | 'png' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (PNG_SIGNATURE.every((value, i) => bytes[i] === value)) return 'png';
  return undefined;
}

/** Walks a JPEG or PNG once; other formats report nothing (their decoders check themselves). */
export function inspectContainer(bytes: Uint8Array, format: string): ContainerReport {
  switch (format) {
    case 'jpeg':
      return walkJpeg(bytes);
    case 'png':
      return walkPng(bytes);
    default:
      return { truncation: undefined, metadataCount: 0, storedMetadataBytes: 0, compressed: [] };
  }
}

/** Why an encoded image is incomplete, or undefined when its container ends properly. */
export function findTruncation(bytes: Uint8Array, format: string): string | undefined {
  return inspectContainer(bytes, format).truncation;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_EOI = 0xd9;
const JPEG_SOS = 0xda;
const JPEG_COM = 0xfe;

function isStandaloneJpegMarker(marker: number): boolean {
  // TEM and RST0..7 carry no length field.
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
}

function isJpegMetadata(marker: number): boolean {
  return (marker >= 0xe0 && marker <= 0xef) || marker === JPEG_COM;
}

function walkJpeg(b: Uint8Array): ContainerReport {
  const report: ContainerReport = { truncation: undefined, metadataCount: 0, storedMetadataBytes: 0, compressed: [] };
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
    if (marker === JPEG_EOI) return report;
    if (isStandaloneJpegMarker(marker)) continue;
    if (i + 2 > b.length) break;
    const length = (b[i] << 8) | b[i + 1];
    if (isJpegMetadata(marker)) {
      report.metadataCount++;
      report.storedMetadataBytes += length;
    }
    i += length;
    if (marker === JPEG_SOS) {
      i = endOfEntropyCodedData(b, i);
    }
  }
  report.truncation = 'JPEG ends before its end-of-image marker';
  return report;
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

/** PNG metadata chunks a decoder keeps (libspng stores them; sharp hands text to JavaScript). */
const PNG_METADATA = new Set(['tEXt', 'zTXt', 'iTXt', 'iCCP', 'eXIf', 'sPLT']);

function walkPng(b: Uint8Array): ContainerReport {
  const report: ContainerReport = { truncation: undefined, metadataCount: 0, storedMetadataBytes: 0, compressed: [] };
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let i = 8; // after the signature
  while (i + 8 <= b.length) {
    const length = view.getUint32(i);
    const type = String.fromCharCode(b[i + 4], b[i + 5], b[i + 6], b[i + 7]);
    if (type === 'IEND') return report;
    if (PNG_METADATA.has(type)) {
      report.metadataCount++;
      const data = b.subarray(i + 8, Math.min(b.length, i + 8 + length));
      const stream = compressedPayload(type, data);
      if (stream) report.compressed.push(stream);
      report.storedMetadataBytes += data.length - (stream?.length ?? 0);
    }
    i += 12 + length;
  }
  report.truncation = 'PNG ends before its IEND chunk';
  return report;
}

/**
 * The zlib stream inside a zTXt ("keyword\0 method data"), an iCCP ("name\0 method data") or a
 * compressed iTXt ("keyword\0 flag method language\0 translated\0 data"); undefined when the chunk
 * is stored uncompressed or too malformed for a decoder to inflate.
 */
function compressedPayload(type: string, data: Uint8Array): Uint8Array | undefined {
  const keywordEnd = data.indexOf(0);
  if (keywordEnd < 0) return undefined;
  if (type === 'zTXt' || type === 'iCCP') return data.subarray(keywordEnd + 2);
  if (type !== 'iTXt' || data[keywordEnd + 1] !== 1) return undefined;
  const languageEnd = data.indexOf(0, keywordEnd + 3);
  const translatedEnd = languageEnd < 0 ? -1 : data.indexOf(0, languageEnd + 1);
  return translatedEnd < 0 ? undefined : data.subarray(translatedEnd + 1);
}
