import { normalize } from '../image/normalize';
import type { Normalization } from '../model/normalization';

/**
 * A fitted frame as it reaches the worker: 8-bit RGB [h, w, 3] and how its pixels map to the model's real-valued
 * input. Frames travel as pixels rather than real values: a quarter of the bytes cross the thread boundary, the
 * main thread (Node-RED's flow thread) does not normalise, and an engine whose input is quantised maps the 256
 * pixel values through a table instead of quantising every real value back (1.4–1.8 ms → 0.17 ms for 224×224).
 */
export interface PixelFrame {
  rgb: Uint8Array;
  normalization: Normalization;
}

/** What a pass through the network takes: real values [h, w, c] (warm-up, probes, tests) or a frame's pixels. */
export type ModelInput = Float32Array | PixelFrame;

/** The real values a pass takes, normalising a frame's pixels. */
export function realValues(input: ModelInput): Float32Array {
  if (input instanceof Float32Array) return input;
  return normalize(input.rgb, input.normalization.scale, input.normalization.offset);
}
