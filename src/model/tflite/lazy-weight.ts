import type { WeightTensor } from '../graph';

/**
 * A weight whose values are decoded when first read. An engine that runs a `.tflite` file as it is (LiteRT.js)
 * needs the graph's structure (ops, shapes, grids), never its weight values: decoding and re-laying them out took
 * about 45 ms of a worker's start-up for V1 0.25/224, and more for larger models. Whatever can fail is checked
 * when the weight is made, so a bad file still fails at import.
 */
export function lazyWeight(shape: number[], decode: () => Float32Array): WeightTensor {
  const values = once(decode);
  return {
    shape,
    get values(): Float32Array {
      return values();
    },
  };
}

/** `decode` run on the first call only; every later call returns the same array. */
export function once(decode: () => Float32Array): () => Float32Array {
  let decoded: Float32Array | undefined;
  return () => {
    decoded ??= decode();
    return decoded;
  };
}
