import type { CatalogEntry } from './catalog';

/**
 * ImageNet top-1 accuracy (%) as published beside the official checkpoints, single centre crop.
 * V1: tensorflow/models research/slim/nets/mobilenet_v1.md "Pre-trained Models" (float and
 * `_quant` rows). V2: tensorflow/models research/slim/nets/mobilenet/README.md, "Pretrained models" (every
 * α × resolution row; float figures only: its uint8 links carry no figure of their own). Keyed `arch_alpha_resolution`.
 */
// biome-ignore format: the published table reads as its grid (α by row, resolution by column)
const V1_FLOAT: Record<string, number> = {
  v1_1_224: 70.9,
  v1_1_192: 70.0,
  v1_1_160: 68.0,
  v1_1_128: 65.2,
  'v1_0.75_224': 68.4,
  'v1_0.75_192': 67.2,
  'v1_0.75_160': 65.3,
  'v1_0.75_128': 62.1,
  'v1_0.5_224': 63.3,
  'v1_0.5_192': 61.7,
  'v1_0.5_160': 59.1,
  'v1_0.5_128': 56.3,
  'v1_0.25_224': 49.8,
  'v1_0.25_192': 47.7,
  'v1_0.25_160': 45.5,
  'v1_0.25_128': 41.5,
};
// biome-ignore format: the published table reads as its grid (α by row, resolution by column)
const V1_QUANT: Record<string, number> = {
  v1_1_224: 69.7,
  v1_1_192: 69.0,
  v1_1_160: 67.3,
  v1_1_128: 64.0,
  'v1_0.75_224': 67.9,
  'v1_0.75_192': 66.2,
  'v1_0.75_160': 63.9,
  'v1_0.75_128': 59.8,
  'v1_0.5_224': 62.2,
  'v1_0.5_192': 60.4,
  'v1_0.5_160': 57.7,
  'v1_0.5_128': 54.9,
  'v1_0.25_224': 48.2,
  'v1_0.25_192': 45.8,
  'v1_0.25_160': 43.5,
  'v1_0.25_128': 39.9,
};
// biome-ignore format: the published table reads as its grid (α by row, resolution by column)
const V2_FLOAT: Record<string, number> = {
  'v2_1.4_224': 75.0,
  'v2_1.3_224': 74.4,
  v2_1_224: 71.8, v2_1_192: 70.7, v2_1_160: 68.8, v2_1_128: 65.3, v2_1_96: 60.3,
  'v2_0.75_224': 69.8, 'v2_0.75_192': 68.7, 'v2_0.75_160': 66.4, 'v2_0.75_128': 63.2, 'v2_0.75_96': 58.8,
  'v2_0.5_224': 65.4, 'v2_0.5_192': 63.9, 'v2_0.5_160': 61.0, 'v2_0.5_128': 57.7, 'v2_0.5_96': 51.2,
  'v2_0.35_224': 60.3, 'v2_0.35_192': 58.2, 'v2_0.35_160': 55.7, 'v2_0.35_128': 50.8, 'v2_0.35_96': 45.5,
};

export interface PublishedAccuracy {
  /** Top-1 %, or undefined when no published figure is known for this exact model. */
  top1?: number;
  /** True when the figure is for the float network, not the quantised file itself. */
  floatFigure: boolean;
}

/** The published top-1 for a catalog entry: the quantised figure when there is one, else the float one. */
export function publishedAccuracy(
  entry: Pick<CatalogEntry, 'arch' | 'alpha' | 'resolution' | 'quantized'>,
): PublishedAccuracy {
  const key = `${entry.arch}_${entry.alpha}_${entry.resolution}`;
  const float = entry.arch === 'v1' ? V1_FLOAT[key] : V2_FLOAT[key];
  if (entry.quantized && entry.arch === 'v1' && V1_QUANT[key] !== undefined)
    return { top1: V1_QUANT[key], floatFigure: false };
  return { top1: float, floatFigure: entry.quantized && float !== undefined };
}
