import {
  type ClassifyOptions,
  type ClassifyResult,
  type ImageInput,
  type MatchResult,
  matchToPredictions,
  type Prediction,
} from '../../src';
import type { LabelSetService } from '../mobilenet-label-set/label-set-service';
import type { QueueStats, SharedModel } from '../mobilenet-model/shared-models';
import type { NodeMessage } from '../shared/red-api';

/** Writes a set's result onto the msg in the same shape as ImageNet's (payload = predictions). */
export function applySetResult(
  msg: NodeMessage,
  result: ClassifyResult,
  predictions: Prediction[],
  match: MatchResult,
  set: { name: string },
  queue: QueueStats,
): void {
  msg.payload = predictions;
  msg.classification = {
    top: predictions[0] ?? null,
    predictions,
    model: result.model,
    timings: result.timings,
    queue,
    labelSet: { name: set.name, known: match.known, label: match.label, score: match.score },
  };
}

/** A frame as the classify node took it in: what to classify, and the msg's own value (kept for the editor). */
export interface SetFrame {
  image: ImageInput;
  original: unknown;
  /** Raw pixels (msg.width…): not an encoded image the editor or the review list could show. */
  raw: boolean;
}

/** One frame's inference and its match against the set. */
export interface SetMatch {
  result: ClassifyResult;
  match: MatchResult;
}

/**
 * Classifies a frame against a label set: one inference for the embedding (inside the set's region unless
 * the msg names one), matched against the set. Encoded frames the set is unsure of are kept for review.
 */
export async function matchAgainstSet(
  model: SharedModel,
  set: LabelSetService,
  frame: SetFrame,
  options: ClassifyOptions,
  otherModel: () => string,
): Promise<SetMatch> {
  const encoded = Buffer.isBuffer(frame.original) && !frame.raw ? frame.original : undefined;
  const result = await model.classify(frame.image, {
    ...options,
    roi: options.roi ?? set.settings.roi,
    embedding: true,
  });
  // A set's embeddings mean nothing to another model: refuse rather than answer nonsense.
  const fingerprint = model.state.phase === 'ready' ? model.state.info.fingerprint : undefined;
  if (fingerprint !== set.modelFingerprint) throw new Error(otherModel());
  const match = set.match(result);
  if (!match.known && encoded) set.noteUnsure(encoded, match.label, match.score);
  return { result, match };
}

/** Writes a set's match onto the msg in ImageNet's shape. */
export function writeSetMatch(
  msg: NodeMessage,
  model: SharedModel,
  set: LabelSetService,
  found: SetMatch,
  topK: number,
): void {
  const labels = set.classes().map((c) => c.label);
  const predictions = matchToPredictions(found.match, labels, topK);
  applySetResult(msg, found.result, predictions, found.match, set.settings, model.queueStats());
}
