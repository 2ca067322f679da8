import { labelTopicClash } from '../mqtt/topics';
import { LabelSetError } from './errors';

/**
 * Bounds on a label set. They keep `labelset.json` small enough to rewrite on every change (with V2's
 * 1280-value embeddings, 2,000 examples are ~14 MB) and matching well under a millisecond per class.
 * A few examples per class are enough (see the README's "Teach your own labels"); hundreds add little.
 */
export const LABELSET_LIMITS = Object.freeze({
  /** Classes in one set. */
  maxClasses: 100,
  /** Examples in one class. */
  maxExamplesPerClass: 500,
  /** Examples in the whole set. */
  maxExamples: 2000,
  /** Characters in a label. */
  maxLabelLength: 64,
  /** Bytes of one stored thumbnail JPEG. */
  maxThumbnailBytes: 256 * 1024,
  /** Values in one embedding (V1 α=1.0 has 1024, V2 1.0 has 1280; larger heads up to 4096). */
  maxEmbeddingSize: 4096,
  /** Bytes of `labelset.json` read before it is parsed (refused as corrupt beyond this). */
  maxFileBytes: 64 * 1024 * 1024,
});

/** The label `match` answers when it is unsure; it cannot be taught. */
export const UNKNOWN_LABEL = 'unknown';

/**
 * Letters and digits of any script, then letters, digits, spaces and `_ - . ' ( )`. No `/`, `+` or `#`, so a
 * label can become part of an MQTT topic or a file name without escaping.
 */
const LABEL_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _.'()-]*$/u;

/** Refuses a label that is not a non-empty, bounded string of the allowed characters; returns it unchanged. */
export function checkLabel(label: unknown, what = 'label'): string {
  if (typeof label !== 'string') {
    throw new LabelSetError('bad-label', `${what} must be a string, got ${label === null ? 'null' : typeof label}`);
  }
  if (label.trim().length === 0) throw new LabelSetError('bad-label', `${what} is empty: give the class a name`);
  if ([...label].length > LABELSET_LIMITS.maxLabelLength) {
    throw new LabelSetError(
      'bad-label',
      `${what} "${label.slice(0, 20)}…" is longer than ${LABELSET_LIMITS.maxLabelLength} characters`,
    );
  }
  if (label !== label.trim()) {
    throw new LabelSetError('bad-label', `${what} ${JSON.stringify(label)} starts or ends with a space`);
  }
  if (!LABEL_PATTERN.test(label)) {
    throw new LabelSetError(
      'bad-label',
      `${what} ${JSON.stringify(label)} must start with a letter or digit and hold only letters, digits, ` +
        "spaces and _ - . ' ( )",
    );
  }
  if (label.toLowerCase() === UNKNOWN_LABEL) {
    throw new LabelSetError('bad-label', `${what} "${label}" is reserved: match() answers it when it is unsure`);
  }
  return label;
}

/**
 * `checkLabel` for a label about to be taught (add, relabel, move): also refuses a name whose MQTT topic level
 * is one the publisher uses under each source (`state`, `image`, `teach`, …), where the label's ON/OFF topic
 * would land on the source's own. Sets already holding such a label still open and match.
 */
export function checkNewLabel(label: unknown, what = 'label'): string {
  checkLabel(label, what);
  const clash = labelTopicClash(label as string);
  if (clash !== undefined) throw new LabelSetError('bad-label', `${what === 'label' ? '' : `${what}: `}${clash}`);
  return label as string;
}
