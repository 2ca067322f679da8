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

/**
 * Classifies a frame against a label set: one inference for the embedding (inside the set's region unless
 * the msg names one), matched against the set, written onto the msg in ImageNet's shape. Encoded frames the
 * set is unsure of are kept for review.
 */
export async function classifyAgainstSet(
  model: SharedModel,
  set: LabelSetService,
  frame: SetFrame,
  options: ClassifyOptions,
  topK: number,
  msg: NodeMessage,
  otherModel: () => string,
): Promise<void> {
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
  const labels = set.classes().map((c) => c.label);
  applySetResult(msg, result, matchToPredictions(match, labels, topK), match, set.settings, model.queueStats());
}
