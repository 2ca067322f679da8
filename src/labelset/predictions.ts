import type { Prediction } from '../runner/predictions';
import { UNKNOWN_LABEL } from './limits';
import type { MatchResult } from './matcher';

/**
 * A label set's answer in the shape of an ImageNet classification (`[{label, score, index}]`, best first), so
 * JSON consumers of `classify` read both alike. `index` is the class's place in `set.labels()`. When the set is
 * unsure, `unknown` comes first (index -1) with score 1 − the best class's score, followed by the classes, so
 * the best guess stays visible. At most `topK` entries.
 */
export function matchToPredictions(match: MatchResult, labels: readonly string[], topK = 5): Prediction[] {
  const classes = match.scores.map((s) => ({ label: s.label, score: s.score, index: labels.indexOf(s.label) }));
  const all = match.known ? classes : [{ label: UNKNOWN_LABEL, score: 1 - match.score, index: -1 }, ...classes];
  return all.slice(0, Math.max(1, topK));
}
