import type { Spread } from './stats';

/**
 * What one child process measures: one model with one set of Classifier options, on one JPEG frame.
 * The parent writes the model and the frame to disk first, so the child's cold start is the
 * product's own: start, load, classify.
 */
export interface FrameJob {
  /** Catalog name, model directory or .tflite file. */
  model: string;
  /** Classifier options (engine, float, workers, …) beside the model. */
  options: Record<string, unknown>;
  /** A 640×480 JPEG file. */
  jpegPath: string;
  warmup: number;
  runs: number;
  /** Frames classified in all before the second RSS reading (at least warmup + runs). */
  framesForRss: number;
  /** When set: queue this many frames at once and measure throughput and event-loop delay while saturated. */
  saturateFrames?: number;
  /** process.hrtime.bigint() in the parent just before it started the child, as a decimal string. */
  spawnedAtNs: string;
}

/** What the child sends back. Times in milliseconds, memory in MB (10^6 bytes). */
export interface FrameMeasurement {
  /** The engine that ran, as the classifier reports it. */
  engine: string;
  backend: string;
  mode: string;
  inputSize: number;
  /** Process start (the parent's spawn) → first label. */
  coldStartMs: number;
  /** Classifier.load() + the first classify(), inside the child. */
  loadAndFirstMs: number;
  totalMs: Spread;
  /** Decode, orient, resize and normalise (sharp on the libuv pool). */
  preprocessMs: Spread;
  queueMs: Spread;
  inferenceMs: Spread;
  rssAfterLoadMb: number;
  rssAfterFramesMb: number;
  framesForRss: number;
  saturated?: { frames: number; fps: number; eventLoopP99Ms: number };
}

export type ChildReply = { ok: true; result: FrameMeasurement } | { ok: false; error: string };
