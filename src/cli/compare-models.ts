import { readImageFile } from '../image/read-image-file';
import { Classifier } from '../runner/classifier';

export interface ModelComparison {
  file: string;
  floatTop1: string;
  quantizedTop1: string;
  /** Largest |Δscore| over the float model's top-5 classes. */
  maxTop5Delta: number;
  /** Largest |Δscore| over every class. */
  maxDelta: number;
}

/**
 * Classifies each image with two models and measures how far their scores are apart.
 * `candidateLabels` names the candidate's classes when its file carries none (a written `.tflite`).
 */
export async function compareModels(
  referenceModel: string,
  candidateModel: string,
  images: string[],
  candidateLabels?: string[],
): Promise<ModelComparison[]> {
  const loads = await Promise.allSettled([
    Classifier.load({ model: referenceModel, queuePolicy: 'wait' }),
    Classifier.load({
      model: candidateModel,
      queuePolicy: 'wait',
      ...(candidateLabels ? { labels: candidateLabels } : {}),
    }),
  ]);
  const [reference, candidate] = loads.map((load) => (load.status === 'fulfilled' ? load.value : undefined));
  if (!reference || !candidate) {
    // The one that did load holds a worker thread, which would keep the CLI from ever exiting.
    await Promise.all([reference?.dispose(), candidate?.dispose()]);
    throw (loads.find((load) => load.status === 'rejected') as PromiseRejectedResult).reason;
  }
  try {
    const results: ModelComparison[] = [];
    for (const file of images) {
      const image = await readImageFile(file);
      const all = { topK: reference.info.classes };
      const [a, b] = await Promise.all([reference.classify(image, all), candidate.classify(image, all)]);
      const scoreB = new Map(b.predictions.map((p) => [p.index, p.score]));
      const deltas = a.predictions.map((p) => Math.abs(p.score - (scoreB.get(p.index) ?? 0)));
      results.push({
        file,
        floatTop1: a.top?.label ?? '',
        quantizedTop1: b.top?.label ?? '',
        maxTop5Delta: Math.max(...deltas.slice(0, 5)),
        maxDelta: Math.max(...deltas),
      });
    }
    return results;
  } finally {
    await Promise.all([reference.dispose(), candidate.dispose()]);
  }
}
