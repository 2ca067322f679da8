import { makeDivisible } from './channel-rounding';
import { classifierHead } from './mobilenet-v1';
import { sameOutputSize } from './spatial';
import type { ArchitectureOptions, Network, NetworkLayer, Shape3 } from './types';

/**
 * MobileNet V2, the paper's Table 2 as data (α = 1): a full 3×3 conv with stride 2, then
 * bottleneck sequences (t: expansion ratio, c: output channels, n: repeats, s: stride of the
 * first repeat), then a 1×1 conv to 1280 channels.
 */
export const MOBILENET_V2_TABLE = {
  stem: { filters: 32, kernel: 3, stride: 2 },
  bottlenecks: [
    { t: 1, c: 16, n: 1, s: 1 },
    { t: 6, c: 24, n: 2, s: 2 },
    { t: 6, c: 32, n: 3, s: 2 },
    { t: 6, c: 64, n: 4, s: 2 },
    { t: 6, c: 96, n: 3, s: 1 },
    { t: 6, c: 160, n: 3, s: 2 },
    { t: 6, c: 320, n: 1, s: 1 },
  ],
  lastConv: 1280,
  depthwiseKernel: 3,
} as const;

/**
 * Expands the table for one α, resolution and class count, with the Keras `mobilenet_v2.py`
 * channel rounding and layer names. Stride-2 depthwise convs use 'same' padding: for a 3×3
 * kernel that pads exactly as Keras's ZeroPadding2D(correct_pad) + 'valid' at every input size.
 */
export function mobilenetV2(options: ArchitectureOptions): Network {
  const { alpha, resolution, classes } = options;
  const table = MOBILENET_V2_TABLE;
  const layers: NetworkLayer[] = [];

  const stemSize = sameOutputSize(resolution, table.stem.stride);
  let shape: Shape3 = [stemSize, stemSize, makeDivisible(table.stem.filters * alpha, 8)];
  layers.push({
    name: 'Conv1',
    kind: 'conv',
    kernel: table.stem.kernel,
    stride: table.stem.stride,
    input: [resolution, resolution, 3],
    output: shape,
    useBias: false,
    batchNorm: 'bn_Conv1',
    relu6: 'Conv1_relu',
  });
  // The layer whose output is the current block's input (the shortcut source).
  let blockInput = 'Conv1_relu';

  let blockId = 0;
  for (const sequence of table.bottlenecks) {
    for (let repeat = 0; repeat < sequence.n; repeat++) {
      const stride = repeat === 0 ? sequence.s : 1;
      const prefix = blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
      const blockName = blockId === 0 ? 'expanded_conv' : `block_${blockId}`;
      const inChannels = shape[2];
      const outChannels = makeDivisible(Math.trunc(sequence.c * alpha), 8);

      // Keras keys the expansion on the block id, not on t: block 0 (t = 1) has none.
      let expanded = shape;
      if (blockId !== 0) {
        expanded = [shape[0], shape[1], sequence.t * inChannels];
        layers.push({
          name: `${prefix}expand`,
          kind: 'conv',
          kernel: 1,
          stride: 1,
          input: shape,
          output: expanded,
          useBias: false,
          batchNorm: `${prefix}expand_BN`,
          relu6: `${prefix}expand_relu`,
          block: blockName,
        });
      }
      const size = sameOutputSize(expanded[0], stride);
      const depthwiseOut: Shape3 = [size, size, expanded[2]];
      layers.push({
        name: `${prefix}depthwise`,
        kind: 'depthwise',
        kernel: table.depthwiseKernel,
        stride,
        input: expanded,
        output: depthwiseOut,
        useBias: false,
        batchNorm: `${prefix}depthwise_BN`,
        relu6: `${prefix}depthwise_relu`,
        block: blockName,
      });
      const projected: Shape3 = [size, size, outChannels];
      const project: NetworkLayer = {
        name: `${prefix}project`,
        kind: 'conv',
        kernel: 1,
        stride: 1,
        input: depthwiseOut,
        output: projected,
        useBias: false,
        batchNorm: `${prefix}project_BN`,
        block: blockName,
      };
      // The linear bottleneck: no ReLU after the projection; a shortcut when shapes allow.
      if (stride === 1 && inChannels === outChannels) project.residual = { from: blockInput, name: `${prefix}add` };
      layers.push(project);

      blockInput = project.residual ? project.residual.name : `${prefix}project_BN`;
      shape = projected;
      blockId++;
    }
  }

  // The paper keeps the last conv at 1280 channels for α < 1 and widens it for α > 1.
  const lastChannels = alpha > 1 ? makeDivisible(table.lastConv * alpha, 8) : table.lastConv;
  const last: Shape3 = [shape[0], shape[1], lastChannels];
  layers.push({
    name: 'Conv_1',
    kind: 'conv',
    kernel: 1,
    stride: 1,
    input: shape,
    output: last,
    useBias: false,
    batchNorm: 'Conv_1_bn',
    relu6: 'out_relu',
  });

  // Keras fuses the softmax into the Dense layer 'predictions'; the softmax row names that layer too.
  layers.push(...classifierHead(last, classes, 'predictions', 'predictions'));
  return { options, inputName: 'input_1', layers, batchNorm: { epsilon: 1e-3, momentum: 0.999 }, head: 'dense' };
}
