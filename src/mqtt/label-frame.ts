import { MqttConfigError } from './errors';

/** One class and its probability, as the classify node emits them (best first). */
export interface Prediction {
  label: string;
  score: number;
  index: number;
}

export interface FrameTimings {
  preprocessMs?: number;
  queueMs?: number;
  inferenceMs?: number;
  totalMs?: number;
  /** The engine that ran the model (litert, tfjs). */
  engine?: string;
}

/** What the publisher needs from one classified frame. */
export interface LabelFrame {
  predictions: Prediction[];
  /** Camera or stream name; the publisher's configured source when absent. */
  source?: string;
  model?: string;
  /** Capture time in ms since the epoch; hysteresis hold times are measured on it. */
  ts?: number;
  seq?: number;
  timings?: FrameTimings;
  /**
   * The classifier's own queue: frames it dropped (cumulative), waiting now, and results it held
   * back until an older frame's was out (cumulative; several inference workers only).
   */
  queue?: { dropped: number; depth: number; heldForOrder?: number };
}

/** Checks a predictions array so a malformed message fails here with a clear error, not deep inside. */
export function validatePredictions(predictions: unknown): Prediction[] {
  if (!Array.isArray(predictions)) {
    throw new MqttConfigError('predictions must be an array of {label, score, index}, best first');
  }
  predictions.forEach((prediction: unknown, index) => {
    const candidate = prediction as Partial<Prediction> | null;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      typeof candidate.label !== 'string' ||
      typeof candidate.score !== 'number' ||
      !Number.isFinite(candidate.score)
    ) {
      throw new MqttConfigError(
        `predictions[${index}] must be {label: string, score: number, index: number}, ` +
          `got ${JSON.stringify(prediction)}`,
      );
    }
  });
  return predictions as Prediction[];
}

/** The score of one label in this frame; 0 when the classifier did not list it (outside top-K). */
export function scoreOf(predictions: Prediction[], label: string): number {
  const wanted = label.toLowerCase();
  for (const prediction of predictions) {
    if (prediction.label.toLowerCase() === wanted) return prediction.score;
  }
  return 0;
}
