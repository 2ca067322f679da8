import { v1Channels } from './channel-rounding';
import { sameOutputSize } from './spatial';
import type { ArchitectureOptions, Network, NetworkLayer, Shape3 } from './types';

/**
 * MobileNet V1, the paper's Table 1 as data (α = 1): a full 3×3 conv with stride 2, then 13
 * depthwise separable blocks (3×3 depthwise carrying the stride, then 1×1 pointwise).
 *
 * The paper prints the 13th depthwise conv as "s2" with a 7×7 input and a 7×7 output; that
 * cannot be, and every implementation (slim, Keras) uses stride 1 there, as we do.
 */
export const MOBILENET_V1_TABLE = {
  stem: { filters: 32, kernel: 3, stride: 2 },
  separableBlocks: [
    { pointwiseFilters: 64, stride: 1 },
    { pointwiseFilters: 128, stride: 2 },
    { pointwiseFilters: 128, stride: 1 },
    { pointwiseFilters: 256, stride: 2 },
    { pointwiseFilters: 256, stride: 1 },
    { pointwiseFilters: 512, stride: 2 },
    { pointwiseFilters: 512, stride: 1 },
    { pointwiseFilters: 512, stride: 1 },
    { pointwiseFilters: 512, stride: 1 },
    { pointwiseFilters: 512, stride: 1 },
    { pointwiseFilters: 512, stride: 1 },
    { pointwiseFilters: 1024, stride: 2 },
    { pointwiseFilters: 1024, stride: 1 },
  ],
  depthwiseKernel: 3,
} as const;

/** Expands Table 1 for one α, resolution and class count, with the Keras `mobilenet.py` layer names. */
export function mobilenetV1(options: ArchitectureOptions): Network {
  const { alpha, resolution, classes } = options;
  const table = MOBILENET_V1_TABLE;
  const layers: NetworkLayer[] = [];

  const stemChannels = v1Channels(table.stem.filters, alpha);
  const stemSize = sameOutputSize(resolution, table.stem.stride);
  let shape: Shape3 = [stemSize, stemSize, stemChannels];
  layers.push({
    name: 'conv1',
    kind: 'conv',
    kernel: table.stem.kernel,
    stride: table.stem.stride,
    input: [resolution, resolution, 3],
    output: shape,
    useBias: false,
    batchNorm: 'conv1_bn',
    relu6: 'conv1_relu',
  });

  table.separableBlocks.forEach((block, index) => {
    const id = index + 1;
    const blockName = `block_${id}`;
    const size = sameOutputSize(shape[0], block.stride);
    const depthwiseOut: Shape3 = [size, size, shape[2]];
    layers.push({
      name: `conv_dw_${id}`,
      kind: 'depthwise',
      kernel: table.depthwiseKernel,
      stride: block.stride,
      input: shape,
      output: depthwiseOut,
      useBias: false,
      batchNorm: `conv_dw_${id}_bn`,
      relu6: `conv_dw_${id}_relu`,
      block: blockName,
    });
    const pointwiseOut: Shape3 = [size, size, v1Channels(block.pointwiseFilters, alpha)];
    layers.push({
      name: `conv_pw_${id}`,
      kind: 'conv',
      kernel: 1,
      stride: 1,
      input: depthwiseOut,
      output: pointwiseOut,
      useBias: false,
      batchNorm: `conv_pw_${id}_bn`,
      relu6: `conv_pw_${id}_relu`,
      block: blockName,
    });
    shape = pointwiseOut;
  });

  layers.push(...classifierHead(shape, classes, 'conv_preds', 'act_softmax'));
  return { options, inputName: 'input_1', layers, batchNorm: { epsilon: 1e-3, momentum: 0.99 }, head: 'conv1x1' };
}

/** Global average pool, fully connected classifier and softmax: the last three rows of both papers' tables. */
export function classifierHead(shape: Shape3, classes: number, fcName: string, softmaxName: string): NetworkLayer[] {
  const pooled: Shape3 = [1, 1, shape[2]];
  return [
    {
      name: 'global_average_pooling2d',
      kind: 'avgpool',
      kernel: shape[0],
      stride: 1,
      input: shape,
      output: pooled,
      useBias: false,
    },
    { name: fcName, kind: 'fc', kernel: 1, stride: 1, input: pooled, output: [1, 1, classes], useBias: true },
    {
      name: softmaxName,
      kind: 'softmax',
      kernel: 1,
      stride: 1,
      input: [1, 1, classes],
      output: [1, 1, classes],
      useBias: false,
    },
  ];
}
