/**
 * Every way a label set can be refused. Callers branch on `code`; people read `message`, which names the
 * folder or file concerned and what to do.
 * - `missing`: the folder or its `labelset.json` does not exist (and `create` was not asked for).
 * - `corrupt`: `labelset.json` (or an export) cannot be read as a label set; nothing is overwritten.
 * - `model-mismatch`: the set was taught with another model (other fingerprint or embedding size).
 * - `limit`: a documented bound would be exceeded (classes, examples, label length, file size).
 * - `bad-label`: a label is empty, too long, reserved or uses characters outside the allowed set.
 * - `bad-embedding`: an embedding of the wrong length, or holding NaN/Infinity or only zeros.
 * - `bad-thumbnail`: a thumbnail that is not a JPEG or is too large.
 * - `not-found`: a label or example id that the set does not hold.
 * - `exists`: a label set already exists where a new one was to be written.
 * - `bad-option`: a matching option out of its range.
 * - `io`: the file system refused a read or write (the message carries the system's reason).
 */
export type LabelSetErrorCode =
  | 'missing'
  | 'corrupt'
  | 'model-mismatch'
  | 'limit'
  | 'bad-label'
  | 'bad-embedding'
  | 'bad-thumbnail'
  | 'not-found'
  | 'exists'
  | 'bad-option'
  | 'io';

/** A label set operation was refused; nothing already taught has been changed. */
export class LabelSetError extends Error {
  readonly code: LabelSetErrorCode;
  /** The file or folder concerned, when there is one. */
  readonly file: string | undefined;

  constructor(code: LabelSetErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabelSetError';
    this.code = code;
    this.file = options?.file;
  }
}

/** True for a `LabelSetError`. */
export function isLabelSetError(value: unknown): value is LabelSetError {
  return value instanceof LabelSetError;
}
