import { fixtureImagenetLabels, referenceOutputs } from '../../fixtures';
import type { LabelFrame, Prediction } from '../../../src/mqtt/label-frame';

const MODEL_FOLDER = 'mobilenet_v1_0.25_224_tfjs_layers';

/**
 * Real classifier output: the reference implementation's scores for each fixture photo on
 * MobileNet V1 0.25 (models/SOURCES.md), as top-K predictions in the classify node's contract.
 */
let cached: { topK: number; byPhoto: Map<string, Prediction[]> } | undefined;

export function referencePredictions(topK = 5): Map<string, Prediction[]> {
  if (cached?.topK === topK) return cached.byPhoto;
  const outputs = referenceOutputs(MODEL_FOLDER);
  // The model has no background class: output i is line i+1 of the label file.
  const labels = fixtureImagenetLabels().slice(1);
  const byPhoto = new Map<string, Prediction[]>();
  for (const [photo, scores] of Object.entries(outputs)) {
    const ranked = scores
      .map((score, index) => ({ label: labels[index], score, index }))
      .sort((a, b) => b.score - a.score);
    byPhoto.set(photo, ranked.slice(0, topK));
  }
  cached = { topK, byPhoto };
  return byPhoto;
}

export function referenceFrame(photo: string, seq: number, ts: number, source = 'porch'): LabelFrame {
  const predictions = referencePredictions().get(photo);
  if (!predictions) throw new Error(`no reference output for ${photo}`);
  return {
    // A copy, so a test or publisher that changes a frame cannot change the shared reference.
    predictions: predictions.map((p) => ({ ...p })),
    source,
    seq,
    ts,
    model: MODEL_FOLDER,
    timings: { preprocessMs: 4, queueMs: 0, inferenceMs: 12, totalMs: 16 },
    queue: { dropped: 0, depth: 0 },
  };
}
