import { describeValue } from './describe-value';
import { ImageError } from './errors';
import { DEFAULT_MAX_METADATA_BYTES } from './metadata-budget';
import type { AlphaBackground, FitMode, PreprocessOptions, ResizeKernel, Roi } from './types';

export const DEFAULT_MAX_PIXELS = 50e6;
/** How a frame is fitted to the model's square input: crop the centre, stretch, or letterbox. */
export const FIT_MODES: readonly FitMode[] = ['cover', 'fill', 'contain'];
export const RESIZE_KERNELS: readonly ResizeKernel[] = [
  'nearest',
  'linear',
  'cubic',
  'mitchell',
  'lanczos2',
  'lanczos3',
  'mks2013',
  'mks2021',
];
export const ALPHA_BACKGROUNDS: readonly AlphaBackground[] = ['white', 'black'];

/** Preprocess options with every default filled in and every value checked. */
export interface ResolvedOptions {
  width: number;
  height: number;
  fit: FitMode;
  roi: Roi | undefined;
  maxPixels: number;
  maxMetadataBytes: number;
  kernel: ResizeKernel;
  alphaBackground: AlphaBackground;
  applyIccProfile: boolean;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ImageError('INVALID_INPUT', `${name} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new ImageError('INVALID_INPUT', `${name} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/** A limit: a positive number (rounded down), or the default when not given. */
function positiveLimit(name: string, unit: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new ImageError('INVALID_INPUT', `${name} must be a positive number of ${unit}, got ${describeValue(value)}`);
  }
  return Math.floor(value);
}

export function resolveOptions(options: PreprocessOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ImageError(
      'INVALID_INPUT',
      `preprocess options must be an object with at least width and height, got ${describeValue(options)}`,
    );
  }
  const maxPixels = positiveLimit('maxPixels', 'pixels', options.maxPixels, DEFAULT_MAX_PIXELS);
  const maxMetadataBytes = positiveLimit(
    'maxMetadataBytes',
    'bytes',
    options.maxMetadataBytes,
    DEFAULT_MAX_METADATA_BYTES,
  );
  if (options.applyIccProfile !== undefined && typeof options.applyIccProfile !== 'boolean') {
    throw new ImageError(
      'INVALID_INPUT',
      `applyIccProfile must be true or false, got ${describeValue(options.applyIccProfile)}`,
    );
  }
  return {
    width: positiveInteger('width', options.width),
    height: positiveInteger('height', options.height),
    fit: oneOf('fit', options.fit, FIT_MODES, 'cover'),
    roi: options.roi,
    maxPixels,
    maxMetadataBytes,
    kernel: oneOf('kernel', options.kernel, RESIZE_KERNELS, 'linear'),
    alphaBackground: oneOf('alphaBackground', options.alphaBackground, ALPHA_BACKGROUNDS, 'white'),
    applyIccProfile: options.applyIccProfile ?? false,
  };
}
