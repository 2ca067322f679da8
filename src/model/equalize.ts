/**
 * Per-channel equalisation through batch-norm, so that one quantisation grid per tensor (all the
 * TF.js weights manifest can express) serves every channel.
 *
 * MobileNet's kernels have channels of very different magnitudes; on a shared uint8 grid the weak
 * ones collapse to a few levels and the following batch-norm amplifies the error (measured on the
 * V1 0.25 fixture: top-1 flips, scores move by 0.4). Scaling kernel channel c by s_c and
 * compensating in the batch-norm that follows is exact in float:
 *   y = γ (s·x − s·μ) / sqrt(s²(σ² + ε)) + β, with μ' = s·μ and σ'² = s²σ² + (s² − 1)ε.
 * Choosing s_c = max_k max|w_k| / max|w_c| (≥ 1, so σ'² stays ≥ σ²) gives every channel the
 * same range: per-channel precision in a per-tensor format, and a model stock TF.js loads unchanged.
 */

import { readKerasGraph } from './keras-topology';

export interface NamedWeights {
  get(name: string): Float32Array | undefined;
  shape(name: string): number[] | undefined;
}

/** A convolution kernel and the batch-norm that directly and solely follows it. */
export interface ConvBatchNormPair {
  kernel: string;
  depthwise: boolean;
  batchNorm: string;
  epsilon: number;
}

/** Finds conv → batch-norm pairs in a Keras topology (functional or sequential). */
export function findConvBatchNormPairs(topology: unknown): ConvBatchNormPair[] {
  const graph = readKerasGraph(topology);
  const pairs: ConvBatchNormPair[] = [];
  for (const layer of graph.layers) {
    if (layer.class_name !== 'BatchNormalization') continue;
    const inputs = graph.inputsOf(layer);
    if (inputs.length !== 1) continue;
    const source = graph.byName.get(inputs[0]);
    if (!source || graph.readers(inputs[0]) !== 1) continue;
    if (source.class_name !== 'Conv2D' && source.class_name !== 'DepthwiseConv2D') continue;
    const depthwise = source.class_name === 'DepthwiseConv2D';
    const epsilon = typeof layer.config.epsilon === 'number' ? layer.config.epsilon : 1e-3;
    pairs.push({
      kernel: `${graph.nameOf(source)}/${depthwise ? 'depthwise_kernel' : 'kernel'}`,
      depthwise,
      batchNorm: graph.nameOf(layer),
      epsilon,
    });
  }
  return pairs;
}

/** Rescales each pair in place (kernel channels and batch-norm statistics); returns how many pairs. */
export function equalizeThroughBatchNorm(weights: NamedWeights, pairs: ConvBatchNormPair[]): number {
  let done = 0;
  for (const pair of pairs) {
    const kernel = weights.get(pair.kernel);
    const shape = weights.shape(pair.kernel);
    const mean = weights.get(`${pair.batchNorm}/moving_mean`);
    const variance = weights.get(`${pair.batchNorm}/moving_variance`);
    if (!kernel || !shape || !mean || !variance) continue;
    // Output channel of element i: last axis for conv, in·mult + m for depthwise [kh, kw, in, mult].
    const channels = pair.depthwise ? shape[2] * shape[3] : shape[shape.length - 1];
    if (channels !== mean.length) continue;
    const maxAbs = new Float64Array(channels);
    for (let i = 0; i < kernel.length; i++) maxAbs[i % channels] = Math.max(maxAbs[i % channels], Math.abs(kernel[i]));
    const widest = Math.max(...maxAbs);
    const scale = Array.from(maxAbs, (m) => (m > widest * 1e-6 ? widest / m : 1));
    for (let i = 0; i < kernel.length; i++) kernel[i] *= scale[i % channels];
    for (let c = 0; c < channels; c++) {
      const s = scale[c];
      mean[c] *= s;
      variance[c] = s * s * variance[c] + (s * s - 1) * pair.epsilon;
    }
    done++;
  }
  return done;
}
