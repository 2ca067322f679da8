import * as tf from '@tensorflow/tfjs-core';
import type { ModelGraph } from '../../model/graph';
import type { TensorRange } from '../../model/tflite/int8-grids';
import { compileGraph } from '../compile-graph';

/** What a calibration pass measured, by graph tensor name. */
export interface Calibration {
  /** The smallest and largest value each op output took over all the images. */
  ranges: Map<string, TensorRange>;
  /** Each tensor's mean per channel (last axis) over all the images, the graph input included. */
  means: Map<string, Float32Array>;
}

/**
 * Runs the float graph on the TF.js engine over real-valued inputs ([h, w, c] HWC, already
 * normalised) and measures every op output: its range (the smallest and largest value over all
 * inputs, as the TFLite converter's calibration records) and its mean per channel (for bias
 * correction). The caller's TF.js backend is used.
 */
export function calibrate(graph: ModelGraph, inputs: Iterable<Float32Array>): Calibration {
  const ranges = new Map<string, TensorRange>();
  const sums = new Map<string, Float64Array>();
  const addMean = (name: string, values: tf.Tensor): void => {
    const channels = values.shape[values.rank - 1] ?? 1;
    const mean = tf.mean(tf.reshape(values, [-1, channels]), 0).dataSync();
    const sum = sums.get(name) ?? new Float64Array(channels);
    for (let c = 0; c < channels; c++) sum[c] += mean[c];
    sums.set(name, sum);
  };
  const executable = compileGraph(graph, {
    float: true,
    observe: (name, values) => {
      const min = tf.min(values).dataSync()[0];
      const max = tf.max(values).dataSync()[0];
      const seen = ranges.get(name);
      ranges.set(name, seen ? { min: Math.min(seen.min, min), max: Math.max(seen.max, max) } : { min, max });
      addMean(name, values);
    },
  });
  let count = 0;
  try {
    for (const values of inputs) {
      const [h, w, c] = graph.input.shape;
      const input = tf.tensor4d(values, [1, h, w, c]);
      try {
        addMean(graph.input.name, input);
        executable.run(input).dispose();
      } finally {
        input.dispose();
      }
      count++;
    }
    if (count === 0) throw new Error('Calibration needs at least one image');
  } finally {
    executable.dispose();
  }
  const means = new Map<string, Float32Array>();
  for (const [name, sum] of sums)
    means.set(
      name,
      Float32Array.from(sum, (s) => s / count),
    );
  return { ranges, means };
}
