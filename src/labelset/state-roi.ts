import { ImageError } from '../image/errors';
import { checkRoiShape, resolveRoi } from '../image/roi';
import type { Roi } from '../image/types';

/** A frame size large enough that any ROI in pixels fits: only the frame-independent checks remain. */
const ANY_FRAME = 1_000_000;

/**
 * Checks a label set's region of interest before the first frame arrives: an object of finite
 * numbers, no negative corner, a positive size, and fractions (all values <= 1) that stay inside
 * the frame. Whether a region in pixels fits is known only per frame; the image room checks that
 * when it crops (`ImageError` code `INVALID_ROI`).
 * @throws ImageError with code `INVALID_ROI`, naming the bad value.
 */
export function checkStateRoi(roi: unknown): Roi {
  checkRoiShape(roi);
  resolveRoi(roi, ANY_FRAME, ANY_FRAME);
  const { x, y, width, height } = roi;
  return { x, y, width, height };
}

/** Same as `checkStateRoi` but returns undefined (whole frame) for undefined or null. */
export function optionalStateRoi(roi: unknown): Roi | undefined {
  if (roi === undefined || roi === null) return undefined;
  return checkStateRoi(roi);
}

export { ImageError };
