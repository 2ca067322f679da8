/**
 * Few-shot accuracy of label sets on real photos (`node dist/bench/fewshot.js [--sweep]`): teach 1, 3 and 5
 * photos per class of ../shared/images/fewshot, classify every other photo of those classes, and count how
 * many of the ten unrelated photos of ../shared/images come out `unknown` with the fruit classes taught.
 * Prints the README's table; --sweep also prints the settings the defaults were chosen from.
 */
import { type MatchClass, type MatchOptions, matchClasses, resolveMatchOptions } from '../src/labelset/matcher';
import { normalizedMean } from '../src/labelset/vectors';
import { Classifier } from '../src/runner/classifier';
import { imagePath, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';
import {
  FEWSHOT_SETS,
  type FewshotSet,
  fewshotPhotos,
  type Photo,
  split,
  UNRELATED_PHOTOS,
} from '../test/labelset/fewshot-photos';
import * as fs from 'node:fs';

export const FEWSHOT_MODELS = [
  { name: 'V1 0.25/224 (TF.js layers)', model: V1_025_LAYERS_DIR },
  { name: 'V2 1.0/224 uint8 (.tflite)', model: V2_QUANT_TFLITE },
  // Not looked at when the defaults were chosen: how they carry over to another model.
  { name: 'V1 0.25/128 uint8 (.tflite)', model: V1_025_128_QUANT_TFLITE },
];
export const SHOTS = [1, 3, 5];
/** Random draws of the taught photos per shot count, besides the fixed first-in-name-order split. */
export const DRAWS = 20;

type Embeddings = Map<string, Float32Array>;

async function embedAll(model: string): Promise<Embeddings> {
  const classifier = await Classifier.load({ model, queuePolicy: 'wait' });
  try {
    const files = [
      ...FEWSHOT_SETS.flatMap((set) => [...fewshotPhotos(set).values()].flat().map((p) => p.path)),
      ...UNRELATED_PHOTOS.map(imagePath),
    ];
    const embeddings: Embeddings = new Map();
    for (const file of files) embeddings.set(file, await classifier.embed(fs.readFileSync(file)));
    return embeddings;
  } finally {
    await classifier.dispose();
  }
}

function classesOf(teach: Photo[], embeddings: Embeddings): MatchClass[] {
  const byLabel = new Map<string, Float32Array[]>();
  for (const photo of teach)
    byLabel.set(photo.label, [...(byLabel.get(photo.label) ?? []), embeddings.get(photo.path)!]);
  return [...byLabel].map(([label, examples]) => {
    const prototype = normalizedMean(examples);
    return { label, examples, prototype: () => prototype };
  });
}

export interface Outcome {
  /** Best class right, whatever its score. */
  top1: number;
  /** Answered the right class (not unknown) with the options given. */
  answered: number;
  total: number;
}

function evaluate(
  set: FewshotSet,
  shots: number,
  seed: number | undefined,
  embeddings: Embeddings,
  options: MatchOptions,
) {
  const resolved = resolveMatchOptions(options);
  const { teach, heldOut } = split(fewshotPhotos(set), shots, seed);
  const classes = classesOf(teach, embeddings);
  const outcome: Outcome = { top1: 0, answered: 0, total: heldOut.length };
  for (const photo of heldOut) {
    const result = matchClasses(embeddings.get(photo.path)!, classes, resolved);
    if (result.scores[0].label === photo.label) outcome.top1++;
    if (result.label === photo.label) outcome.answered++;
  }
  const unknown = UNRELATED_PHOTOS.filter(
    (file) => !matchClasses(embeddings.get(imagePath(file))!, classes, resolved).known,
  ).length;
  return { outcome, unknown };
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)}`;
}

export interface Row {
  model: string;
  set: FewshotSet;
  shots: number;
  fixed: Outcome;
  meanTop1: number;
  minTop1: number;
  meanAnswered: number;
  /** Fruit only: unrelated photos answered unknown, fixed split, and mean over the draws. */
  unknownFixed?: number;
  unknownMean?: number;
}

export function measure(modelName: string, embeddings: Embeddings, options: MatchOptions): Row[] {
  const rows: Row[] = [];
  for (const set of FEWSHOT_SETS) {
    for (const shots of SHOTS) {
      const fixed = evaluate(set, shots, undefined, embeddings, options);
      const draws = Array.from({ length: DRAWS }, (_, seed) => evaluate(set, shots, seed + 1, embeddings, options));
      const rate = (o: Outcome, key: 'top1' | 'answered') => o[key] / o.total;
      rows.push({
        model: modelName,
        set,
        shots,
        fixed: fixed.outcome,
        meanTop1: mean(draws.map((d) => rate(d.outcome, 'top1'))),
        minTop1: Math.min(...draws.map((d) => rate(d.outcome, 'top1'))),
        meanAnswered: mean(draws.map((d) => rate(d.outcome, 'answered'))),
        ...(set === 'fruit' ? { unknownFixed: fixed.unknown, unknownMean: mean(draws.map((d) => d.unknown)) } : {}),
      });
    }
  }
  return rows;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function table(rows: Row[]): string {
  const lines = [
    '| model | set | shots | top-1 | right, not `unknown` | top-1 over 20 draws: mean (min) | right, not `unknown`: ' +
      'mean | unrelated photos `unknown` |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const unknown = r.unknownFixed === undefined ? '' : `${r.unknownFixed}/10 (mean ${r.unknownMean?.toFixed(1)})`;
    const fixed = `${percent(r.fixed.top1, r.fixed.total)}% (${r.fixed.top1}/${r.fixed.total})`;
    const draws = `${(100 * r.meanTop1).toFixed(1)}% (${(100 * r.minTop1).toFixed(1)}%)`;
    lines.push(
      `| ${r.model} | ${r.set} | ${r.shots} | ${fixed} | ${percent(r.fixed.answered, r.fixed.total)}% | ${draws} | ` +
        `${(100 * r.meanAnswered).toFixed(1)}% | ${unknown} |`,
    );
  }
  return lines.join('\n');
}

/** Similarities that the unknown settings must separate: held-out photos to their class, unrelated to the best. */
function similarityReport(embeddings: Embeddings): string {
  const { teach, heldOut } = split(fewshotPhotos('fruit'), 5);
  const classes = classesOf(teach, embeddings);
  const options = resolveMatchOptions({ unknownSimilarity: null });
  const best = (file: string) => matchClasses(embeddings.get(file)!, classes, options).scores[0].similarity;
  const own = heldOut.map((p) => best(p.path)).sort((a, b) => a - b);
  const unrelated = UNRELATED_PHOTOS.map((f) => best(imagePath(f))).sort((a, b) => a - b);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  return `  fruit held-out best cosine: ${fmt(own)}\n  unrelated best cosine:      ${fmt(unrelated)}`;
}

async function main(): Promise<void> {
  const sweep = process.argv.includes('--sweep');
  const rows: Row[] = [];
  for (const { name, model } of FEWSHOT_MODELS) {
    const embeddings = await embedAll(model);
    rows.push(...measure(name, embeddings, {}));
    if (!sweep) continue;
    console.log(`\n${name}\n${similarityReport(embeddings)}`);
    for (const method of ['prototype', 'knn'] as const) {
      for (const unknownSimilarity of [null, 0.4, 0.5, 0.6]) {
        for (const temperature of [0.02, 0.05, 0.1]) {
          for (const threshold of [0.5, 0.6, 0.7]) {
            const options = { method, unknownSimilarity, temperature, threshold, margin: 0.1 };
            const measured = measure(name, embeddings, options).filter((r) => r.shots === 5);
            const answered = measured.map((r) => (100 * r.meanAnswered).toFixed(1)).join(' / ');
            const unknown = measured.find((r) => r.set === 'fruit')?.unknownMean?.toFixed(1);
            console.log(`  ${JSON.stringify(options)}: 5-shot answered ${answered}%, unrelated unknown ${unknown}/10`);
          }
        }
      }
    }
  }
  console.log(`\n${table(rows)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
