import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readImageFile } from '../image/read-image-file';
import { LabelSet } from '../labelset';
import { dot, normalizedMean } from '../labelset/vectors';
import { Classifier } from '../runner/classifier';

/** One of the user's frames and the label it shows. */
export interface LabelledFrame {
  label: string;
  file: string;
}

/** Bounds on what --frames reads: a folder of a camera's examples, not a dataset. */
export const FRAMES_LIMITS = { maxFrames: 2000, maxClasses: 100 };
const IMAGE_FILE = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

/**
 * The frames in `dir`: a label set's examples (a folder holding labelset.json: each class's stored
 * crops), or one sub-folder per label holding image files. Name order, so every run reads the same.
 */
export async function readLabelledFrames(dir: string): Promise<LabelledFrame[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const frames: LabelledFrame[] = [];
  if (entries.some((entry) => entry.isFile() && entry.name === 'labelset.json')) {
    // Opened for reading only: the embeddings it stores belong to its own model, not the ones compared here.
    const set = await LabelSet.open(dir, { fingerprint: 'tune', embeddingSize: 1, allowModelChange: true });
    for (const summary of set.classes()) {
      for (const example of summary.examples) frames.push({ label: summary.label, file: example.thumbnail });
    }
  } else {
    const labels = entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    if (labels.length > FRAMES_LIMITS.maxClasses)
      throw new RangeError(`${dir} has ${labels.length} label folders; at most ${FRAMES_LIMITS.maxClasses} are read`);
    for (const label of labels) {
      const files = (await fs.readdir(path.join(dir, label))).filter((file) => IMAGE_FILE.test(file)).sort();
      for (const file of files) frames.push({ label, file: path.join(dir, label, file) });
      if (frames.length > FRAMES_LIMITS.maxFrames)
        throw new RangeError(`${dir} holds more than ${FRAMES_LIMITS.maxFrames} frames; give a smaller folder`);
    }
  }
  const perLabel = countBy(frames.map((frame) => frame.label));
  const usable = [...perLabel].filter(([, count]) => count >= 2);
  if (usable.length < 2) {
    throw new RangeError(
      `${dir}: ranking by your frames needs at least two labels with two or more frames each (one to teach, one ` +
        `to check); found ${[...perLabel].map(([label, count]) => `${label}: ${count}`).join(', ') || 'none'}`,
    );
  }
  return frames.filter((frame) => (perLabel.get(frame.label) ?? 0) >= 2);
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** A small seeded generator (mulberry32): the same draws on every run and every model. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FramesAccuracy {
  /** Held-out frames whose nearest class prototype was their own label, over all draws (0–1). */
  accuracy: number;
  /** Frames taught per label in each draw. */
  shots: number;
  draws: number;
  /** Held-out frames checked per draw. */
  heldOut: number;
}

/**
 * Few-shot prototype accuracy: in each of `draws` seeded draws, teach `shots` frames per label (at
 * most half of the label's frames, at most 5), take each label's prototype (the normalised mean of
 * its taught embeddings) and classify every frame not taught by its nearest prototype — what a
 * label set taught with a few of these frames would answer on the rest.
 */
export function prototypeAccuracy(byLabel: Map<string, Float32Array[]>, draws = 10): FramesAccuracy {
  const shots = Math.max(1, Math.min(5, ...[...byLabel.values()].map((vectors) => Math.floor(vectors.length / 2))));
  let correct = 0;
  let checked = 0;
  for (let draw = 0; draw < draws; draw++) {
    const next = random(draw + 1);
    const split = [...byLabel].map(([label, vectors]) => {
      const order = vectors.map((vector) => ({ vector, key: next() })).sort((a, b) => a.key - b.key);
      return { label, teach: order.slice(0, shots), rest: order.slice(shots) };
    });
    const prototypes = split.map(({ label, teach }) => ({
      label,
      prototype: normalizedMean(teach.map((t) => t.vector)),
    }));
    for (const { label, rest } of split) {
      for (const { vector } of rest) {
        const best = prototypes.reduce((a, b) => (dot(vector, b.prototype) > dot(vector, a.prototype) ? b : a));
        if (best.label === label) correct++;
        checked++;
      }
    }
  }
  return { accuracy: checked ? correct / checked : 0, shots, draws, heldOut: checked / draws };
}

/** Embeds every frame with `model` (loaded here, disposed after) and measures prototypeAccuracy. */
export async function framesAccuracy(
  model: string,
  frames: readonly LabelledFrame[],
  options: Record<string, unknown> = {},
): Promise<FramesAccuracy> {
  const classifier = await Classifier.load({ model, queuePolicy: 'wait', ...options });
  try {
    const byLabel = new Map<string, Float32Array[]>();
    for (const frame of frames) {
      const embedding = await classifier.embed(await readImageFile(frame.file));
      byLabel.set(frame.label, [...(byLabel.get(frame.label) ?? []), embedding]);
    }
    return prototypeAccuracy(byLabel);
  } finally {
    await classifier.dispose();
  }
}
