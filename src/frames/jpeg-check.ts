/** Encoders and copy tools sometimes pad a file after EOI; this much padding is tolerated. */
const TRAILING_SLACK = 32;

/**
 * A cheap "is this a whole JPEG" test: SOI at the start and EOI at (or just before) the end.
 * A file still being written has its SOI but not yet its EOI.
 */
export function looksLikeCompleteJpeg(buf: Buffer): boolean {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return false;
  for (let end = buf.length; end >= Math.max(4, buf.length - TRAILING_SLACK); end--) {
    if (buf[end - 2] === 0xff && buf[end - 1] === 0xd9) return true;
  }
  return false;
}
