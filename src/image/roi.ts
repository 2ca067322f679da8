import { describeValue } from './describe-value';
import { ImageError } from './errors';
import type { Roi } from './types';

/** A region in whole pixels, as sharp's `extract` wants it. */
export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

const TOLERANCE = 1e-9;

function describe(roi: Roi): string {
  return `{x: ${roi.x}, y: ${roi.y}, width: ${roi.width}, height: ${roi.height}}`;
}

/** Checks that `roi` is {x, y, width, height} of finite numbers; the frame's size is checked later. */
export function checkRoiShape(roi: unknown): asserts roi is Roi {
  if (typeof roi !== 'object' || roi === null || Array.isArray(roi)) {
    throw new ImageError(
      'INVALID_ROI',
      `ROI must be an object {x, y, width, height} (pixels, or fractions 0..1 of the frame), got ${describeValue(roi)}`,
    );
  }
  const r = roi as Record<string, unknown>;
  for (const key of ['x', 'y', 'width', 'height'] as const) {
    const value = r[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ImageError(
        'INVALID_ROI',
        `ROI ${key} must be a finite number (pixels, or a fraction 0..1 of the frame), got ${describeValue(value)}`,
      );
    }
  }
}

/**
 * Turns a region of interest into pixels of a `frameWidth`×`frameHeight` frame (after EXIF
 * orientation). Values are fractions of the frame when none exceeds 1, else pixels.
 */
export function resolveRoi(roi: unknown, frameWidth: number, frameHeight: number): PixelRect {
  checkRoiShape(roi);
  const { x, y, width, height } = roi;
  const text = describe({ x, y, width, height });
  if (x < 0 || y < 0) throw new ImageError('INVALID_ROI', `ROI ${text} has a negative x or y`);
  if (width <= 0 || height <= 0)
    throw new ImageError('INVALID_ROI', `ROI ${text} must have a positive width and height`);

  const inPixels = x > 1 || y > 1 || width > 1 || height > 1;
  if (!inPixels) {
    if (x + width > 1 + TOLERANCE || y + height > 1 + TOLERANCE) {
      throw new ImageError(
        'INVALID_ROI',
        `ROI ${text} (fractions of the frame) reaches past the frame: x + width and y + height must be <= 1`,
      );
    }
    const left = Math.round(x * frameWidth);
    const top = Math.round(y * frameHeight);
    const right = Math.min(frameWidth, Math.round((x + width) * frameWidth));
    const bottom = Math.min(frameHeight, Math.round((y + height) * frameHeight));
    // A sliver narrower than a pixel still selects one pixel rather than nothing.
    return {
      left: Math.min(left, frameWidth - 1),
      top: Math.min(top, frameHeight - 1),
      width: Math.max(1, right - left),
      height: Math.max(1, bottom - top),
    };
  }

  const rect = { left: Math.round(x), top: Math.round(y), width: Math.round(width), height: Math.round(height) };
  if (rect.width < 1 || rect.height < 1) {
    throw new ImageError('INVALID_ROI', `ROI ${text} (pixels) is less than one pixel wide or high`);
  }
  if (rect.left + rect.width > frameWidth || rect.top + rect.height > frameHeight) {
    throw new ImageError(
      'INVALID_ROI',
      `ROI ${text} (pixels) reaches past the ${frameWidth}×${frameHeight} frame: x + width must be <= ${frameWidth} ` +
        `and y + height <= ${frameHeight}`,
    );
  }
  return rect;
}
