export interface Prediction {
  label: string;
  score: number;
  index: number;
}

export interface PredictionFilter {
  /** How many predictions to return, best first (default 5). */
  topK?: number;
  /** Drop predictions scoring below this (0..1). */
  threshold?: number;
  /** Only these labels may be returned (case-insensitive). */
  allow?: string[];
  /** These labels are never returned (case-insensitive). */
  deny?: string[];
}

function normalisedSet(labels: string[] | undefined): Set<string> | undefined {
  return labels && labels.length > 0 ? new Set(labels.map((l) => l.trim().toLowerCase())) : undefined;
}

export function validateFilter(filter: PredictionFilter): void {
  if (filter.topK !== undefined && (!Number.isInteger(filter.topK) || filter.topK < 1)) throw new TypeError(`topK must be a whole number ≥ 1, got ${String(filter.topK)}`);
  if (filter.threshold !== undefined && (typeof filter.threshold !== 'number' || !(filter.threshold >= 0 && filter.threshold <= 1))) {
    throw new TypeError(`threshold must be a number from 0 to 1, got ${String(filter.threshold)}`);
  }
}

/** ImageNet labels list synonyms ("tabby, tabby cat"): any one of them matches. */
function matches(set: Set<string>, label: string): boolean {
  const key = label.trim().toLowerCase();
  return set.has(key) || key.split(',').some((part) => set.has(part.trim()));
}

/** Best-first predictions after the allow/deny lists and threshold, one pass, no full sort. */
export function topPredictions(scores: Float32Array, labels: string[], filter: PredictionFilter = {}): Prediction[] {
  const topK = filter.topK ?? 5;
  const threshold = filter.threshold ?? 0;
  const allow = normalisedSet(filter.allow);
  const deny = normalisedSet(filter.deny);
  const best: Prediction[] = [];
  for (let index = 0; index < scores.length; index++) {
    const score = scores[index];
    if (score < threshold) continue;
    if (best.length === topK && score <= best[best.length - 1].score) continue;
    const label = labels[index] ?? `class ${index}`;
    if (allow && !matches(allow, label)) continue;
    if (deny && matches(deny, label)) continue;
    let position = best.length;
    while (position > 0 && best[position - 1].score < score) position--;
    best.splice(position, 0, { label, score, index });
    if (best.length > topK) best.pop();
  }
  return best;
}
