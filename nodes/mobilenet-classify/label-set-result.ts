import type { ClassifyResult, MatchResult, Prediction } from '../../src';
import type { QueueStats } from '../mobilenet-model/shared-models';
import type { NodeMessage } from '../shared/red-api';

/** The label a set answers when no taught class is close enough. */
export const UNKNOWN = 'unknown';

/**
 * A set's match as classify predictions, best first: `{label, score, index}` as for ImageNet, `index`
 * being the class's place in the set (−1 for `unknown`). When the set is unsure, `unknown` comes first
 * with 1 − the best class's score, so whatever reads the first prediction (the MQTT label publisher)
 * reads `unknown`.
 */
export function setPredictions(match: MatchResult, labels: readonly string[], topK: number): Prediction[] {
  const classes = match.scores.map((s) => ({ label: s.label, score: s.score, index: labels.indexOf(s.label) }));
  const predictions = match.known ? classes : [{ label: UNKNOWN, score: 1 - match.score, index: -1 }, ...classes];
  return predictions.slice(0, Math.max(1, topK));
}

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
