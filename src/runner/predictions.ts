import { describeValue } from '../image/describe-value';

/** One class and its score (0..1); `index` is the model output it came from. */
export interface Prediction {
  label: string;
  score: number;
  index: number;
}

/** Which predictions a frame returns: the best `topK` at or above `threshold`, allow and deny lists applied. */
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

function normalizedSet(labels: string[] | undefined): Set<string> | undefined {
  return labels && labels.length > 0 ? new Set(labels.map((l) => l.trim().toLowerCase())) : undefined;
}

/** Label lists: an array of label names; a lone string is the usual slip (`deny: "person"`). */
function checkLabelList(name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    const hint = typeof value === 'string' ? ` (write [${JSON.stringify(value)}] for one label)` : '';
    throw new TypeError(
      `${name} must be an array of label names, for example ["cat", "dog"], got ${describeValue(value)}${hint}`,
    );
  }
  const bad = value.findIndex((label) => typeof label !== 'string');
  if (bad >= 0)
    throw new TypeError(
      `${name} must be an array of label names (strings), but ${name}[${bad}] is ${describeValue(value[bad])}`,
    );
}

/** Throws a TypeError naming the bad field, what it got and what is accepted. */
export function validateFilter(filter: PredictionFilter): void {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new TypeError(
      `prediction filter must be an object {topK, threshold, allow, deny}, got ${describeValue(filter)}`,
    );
  }
  const topK: unknown = filter.topK;
  if (topK !== undefined && (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1)) {
    throw new TypeError(`topK must be a whole number ≥ 1, got ${describeValue(topK)}`);
  }
  const threshold: unknown = filter.threshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))) {
    throw new TypeError(`threshold must be a number from 0 to 1, got ${describeValue(threshold)}`);
  }
  checkLabelList('allow', filter.allow);
  checkLabelList('deny', filter.deny);
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
  const allow = normalizedSet(filter.allow);
  const deny = normalizedSet(filter.deny);
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
