export type ImageErrorCode =
  | 'EMPTY'
  | 'NOT_AN_IMAGE'
  | 'TRUNCATED'
  | 'UNSUPPORTED_FORMAT'
  | 'TOO_LARGE'
  | 'RAW_SIZE_MISMATCH'
  | 'INVALID_INPUT'
  | 'INVALID_ROI';

/** Every way an image can be refused; callers branch on `code`, people read `message`. */
export class ImageError extends Error {
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
    this.code = code;
  }
}

export function isImageError(value: unknown): value is ImageError {
  return value instanceof ImageError;
}
