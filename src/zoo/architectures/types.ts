/**
 * A MobileNet, expanded for one choice of width multiplier α, input resolution and class count:
 * the list of weighted layers in order, each with its Keras layer names and its shapes. Both the
 * TF.js builder and the cost model read this list, so the network that runs and the numbers a
 * user is shown cannot drift apart.
 */

export type ArchitectureName = 'v1' | 'v2';

export interface ArchitectureOptions {
  arch: ArchitectureName;
  /** Width multiplier α in (0, 1.4]: scales every layer's channel count. */
  alpha: number;
  /** Input height and width in pixels (the resolution multiplier ρ is resolution / 224). */
  resolution: number;
  /** Number of output classes (1000 for the ImageNet models). */
  classes: number;
}

/** [height, width, channels] */
export type Shape3 = [number, number, number];

/**
 * The layer kinds of the papers' tables. `conv` is a full convolution (3×3 first layer or 1×1
 * pointwise), `depthwise` a 3×3 depthwise convolution, `avgpool` the global average pool, `fc`
 * the classifier (a 1×1 conv in Keras V1, a Dense layer in Keras V2), `softmax` the output.
 */
export type LayerKind = 'conv' | 'depthwise' | 'avgpool' | 'fc' | 'softmax';

export interface NetworkLayer {
  /** Keras name of the layer that holds the weights (or of the op itself when it has none). */
  name: string;
  kind: LayerKind;
  kernel: number;
  stride: number;
  input: Shape3;
  output: Shape3;
  useBias: boolean;
  /** Keras name of the batch-norm that follows, when there is one. */
  batchNorm?: string;
  /** ReLU6 after the batch-norm, with its Keras name; absent for linear layers (V2 projections). */
  relu6?: string;
  /** V2 shortcut: name of the layer whose output is added to this one's, and the add's name. */
  residual?: { from: string; name: string };
  /** The bottleneck or separable block this layer belongs to (for grouping in tables). */
  block?: string;
}

export interface Network {
  options: ArchitectureOptions;
  /** Keras name of the input layer. */
  inputName: string;
  layers: NetworkLayer[];
  /** Batch-norm settings of the reference implementation (needed to load its weights faithfully). */
  batchNorm: { epsilon: number; momentum: number };
  /** How the reference implementation shapes its classifier head (decides the Keras layer names). */
  head: 'conv1x1' | 'dense';
}
