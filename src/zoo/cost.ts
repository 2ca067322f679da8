import { expandArchitecture, withDefaults } from './architectures';
import type { ArchitectureName, ArchitectureOptions, Network, NetworkLayer, Shape3 } from './architectures';

/**
 * The MobileNet papers' cost model, computed from the architecture definition: per layer the
 * paper's Table 1 columns plus multiply-adds and parameters, the saving of every depthwise
 * separable pair against the standard convolution it replaces, and the Table 2 breakdown.
 *
 * Conventions (the papers'): multiply-adds count convolutions and the fully connected layer;
 * batch-norm, ReLU6, pooling, residual adds and softmax count none. `params` counts what Keras
 * counts: kernels, biases and four values per batch-norm channel (gamma, beta, moving mean and
 * variance). The by-type parameter shares leave batch-norm out, as the paper's Table 2 does:
 * at inference batch-norm folds into the convolution before it.
 */

/** The four layer types of the paper's Table 2. */
export const COST_TYPES = ['conv1x1', 'depthwise3x3', 'conv3x3', 'fc'] as const;
export type CostType = (typeof COST_TYPES)[number];
export type LayerType = CostType | 'avgpool' | 'softmax' | `conv${number}x${number}` | `depthwise${number}x${number}`;

export interface SeparableCost {
  /** The 1×1 conv that completes this depthwise separable convolution. */
  pointwise: string;
  /** Dk·Dk·M·N·Df·Df: the standard convolution with the same input, output and stride. */
  standardConvMacs: number;
  /** Dk·Dk·M·Df·Df + M·N·Df·Df: depthwise plus pointwise. */
  separableMacs: number;
  /** separableMacs / standardConvMacs, as computed. */
  ratio: number;
  /** 1/N + 1/Dk², the paper's closed form for the same ratio. */
  reduction: number;
}

export interface LayerCost {
  /** Keras layer name. */
  name: string;
  block?: string;
  type: LayerType;
  /** Table 1 "Type / Stride", e.g. "Conv dw / s2". */
  typeStride: string;
  stride: number;
  /**
   * Table 1 "Filter Shape": [k, k, in, out] for a conv, [k, k, channels] for a depthwise conv, [k, k] for the pool,
   * [in, out] for the fc layer.
   */
  filterShape: number[];
  /** Table 1 "Input Size" [height, width, channels]. */
  input: Shape3;
  output: Shape3;
  macs: number;
  /** Kernel and bias, plus batch-norm as Keras counts it. */
  params: number;
  /** Kernel and bias only. */
  weights: number;
  batchNormParams: number;
  separable?: SeparableCost;
}

export interface TypeShare {
  macsPct: number;
  paramsPct: number;
}

/** The object `mobilenet inspect --json` prints, the CLI `info` shows and the editor's model picker displays. */
export interface ArchitectureDescription {
  arch: ArchitectureName;
  alpha: number;
  resolution: number;
  macs: number;
  params: number;
  byType: Record<CostType, TypeShare>;
  layers: LayerCost[];
}

function layerType(layer: NetworkLayer): LayerType {
  switch (layer.kind) {
    case 'conv':
      return `conv${layer.kernel}x${layer.kernel}`;
    case 'depthwise':
      return `depthwise${layer.kernel}x${layer.kernel}`;
    default:
      return layer.kind;
  }
}

const TABLE_TYPE_NAMES: Record<NetworkLayer['kind'], string> = {
  conv: 'Conv',
  depthwise: 'Conv dw',
  avgpool: 'Avg Pool',
  fc: 'FC',
  softmax: 'Softmax',
};

function filterShape(layer: NetworkLayer): number[] {
  const k = layer.kernel;
  switch (layer.kind) {
    case 'conv':
      return [k, k, layer.input[2], layer.output[2]];
    case 'depthwise':
      return [k, k, layer.input[2]];
    case 'avgpool':
      return [k, k];
    case 'fc':
      return [layer.input[2], layer.output[2]];
    case 'softmax':
      return [];
  }
}

function layerCost(layer: NetworkLayer): LayerCost {
  const [outH, outW, outC] = layer.output;
  const inC = layer.input[2];
  const k = layer.kernel;
  let macs = 0;
  let kernel = 0;
  switch (layer.kind) {
    case 'conv':
      kernel = k * k * inC * outC;
      macs = outH * outW * kernel;
      break;
    case 'depthwise':
      kernel = k * k * inC;
      macs = outH * outW * kernel;
      break;
    case 'fc':
      kernel = inC * outC;
      macs = kernel;
      break;
    default:
      break;
  }
  const weights = kernel + (layer.useBias ? outC : 0);
  const batchNormParams = layer.batchNorm ? 4 * outC : 0;
  const cost: LayerCost = {
    name: layer.name,
    type: layerType(layer),
    typeStride: `${TABLE_TYPE_NAMES[layer.kind]} / s${layer.stride}`,
    stride: layer.stride,
    filterShape: filterShape(layer),
    input: layer.input,
    output: layer.output,
    macs,
    params: weights + batchNormParams,
    weights,
    batchNormParams,
  };
  if (layer.block) cost.block = layer.block;
  return cost;
}

/**
 * Depthwise k×k followed by a 1×1 conv is one depthwise separable convolution (V1 blocks, V2 depthwise + projection).
 */
function separableCost(depthwise: LayerCost, pointwise: LayerCost, kernel: number): SeparableCost {
  const m = depthwise.input[2];
  const n = pointwise.output[2];
  const [df] = pointwise.output;
  const standardConvMacs = kernel * kernel * m * n * df * df;
  const separableMacs = depthwise.macs + pointwise.macs;
  return {
    pointwise: pointwise.name,
    standardConvMacs,
    separableMacs,
    ratio: separableMacs / standardConvMacs,
    reduction: 1 / n + 1 / (kernel * kernel),
  };
}

export function costNetwork(network: Network): ArchitectureDescription {
  const { arch, alpha, resolution } = network.options;
  const layers = network.layers.map(layerCost);
  network.layers.forEach((layer, i) => {
    const next = network.layers[i + 1];
    if (layer.kind === 'depthwise' && next && next.kind === 'conv' && next.kernel === 1) {
      layers[i].separable = separableCost(layers[i], layers[i + 1], layer.kernel);
    }
  });

  const macs = layers.reduce((sum, l) => sum + l.macs, 0);
  const params = layers.reduce((sum, l) => sum + l.params, 0);
  const weights = layers.reduce((sum, l) => sum + l.weights, 0);
  const byType = {} as Record<CostType, TypeShare>;
  for (const type of COST_TYPES) {
    const ofType = layers.filter((l) => l.type === type);
    byType[type] = {
      macsPct: (100 * ofType.reduce((sum, l) => sum + l.macs, 0)) / macs,
      paramsPct: (100 * ofType.reduce((sum, l) => sum + l.weights, 0)) / weights,
    };
  }
  return { arch, alpha, resolution, macs, params, byType, layers };
}

/**
 * Cost of a MobileNet: architecture (v1 or v2), width multiplier α, input resolution and class
 * count (defaults: v1, 1.0, 224, 1000). Throws a RangeError for values outside the valid ranges.
 */
export function describeArchitecture(options: Partial<ArchitectureOptions>): ArchitectureDescription {
  return costNetwork(expandArchitecture(withDefaults(options)));
}

export type { ArchitectureOptions };
