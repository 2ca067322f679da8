import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expandArchitecture, withDefaults } from './architectures';
import type { ArchitectureOptions, Network, NetworkLayer } from './architectures';

export interface BuildOptions {
  /**
   * Weights keyed "<keras layer name>/<weight name>" (e.g. "conv1/kernel", "conv1_bn/gamma"), as in
   * a TF.js layers model's weights manifest. Every weight of the network must be given, and
   * nothing else. Without weights the network is He-initialised.
   */
  weights?: tf.NamedTensorMap;
  /** Seed for the He initialisation (reproducible random networks, e.g. in tests). */
  seed?: number;
}

/**
 * He initialisation (uniform: TF.js's 'normal' variant truncates at 2σ without correcting the
 * variance, which loses ~23% of it per layer, ~1e-3 over MobileNet's 28 layers). For a depthwise
 * kernel [k, k, C, 1] TF.js computes fan-in as k·k·C, but each output sees only k·k inputs;
 * scaling by C restores variance 2/(k·k). Without both, a random MobileNet's activations vanish.
 */
/** A per-layer seed from the build seed, so a seeded network is the same network every time. */
function layerSeed(seed: number | undefined, name: string): number | undefined {
  if (seed === undefined) return undefined;
  let hash = seed;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  return hash;
}

function heInitializer(layer: NetworkLayer, seed?: number): ReturnType<typeof tfl.initializers.varianceScaling> {
  const scale = layer.kind === 'depthwise' ? 2 * layer.input[2] : 2;
  return tfl.initializers.varianceScaling({
    scale,
    mode: 'fanIn',
    distribution: 'uniform',
    seed: layerSeed(seed, layer.name),
  });
}

/**
 * A TF.js layers model of the network, with the Keras layer names so the official weights load
 * by name. Batch-norm stays a separate layer (as in Keras) so weights map one to one.
 */
export function buildNetworkModel(network: Network, options: BuildOptions = {}): tfl.LayersModel {
  const { resolution, classes } = network.options;
  const input = tfl.input({ shape: [resolution, resolution, 3], name: network.inputName });
  const outputs = new Map<string, tfl.SymbolicTensor>();
  let x: tfl.SymbolicTensor = input;

  for (const layer of network.layers) {
    switch (layer.kind) {
      case 'conv':
        x = tfl.layers
          .conv2d({
            name: layer.name,
            filters: layer.output[2],
            kernelSize: layer.kernel,
            strides: layer.stride,
            padding: 'same',
            useBias: layer.useBias,
            kernelInitializer: heInitializer(layer, options.seed),
          })
          .apply(x) as tfl.SymbolicTensor;
        break;
      case 'depthwise':
        x = tfl.layers
          .depthwiseConv2d({
            name: layer.name,
            kernelSize: layer.kernel,
            strides: layer.stride,
            padding: 'same',
            depthMultiplier: 1,
            useBias: layer.useBias,
            depthwiseInitializer: heInitializer(layer, options.seed),
          })
          .apply(x) as tfl.SymbolicTensor;
        break;
      case 'avgpool':
        x = tfl.layers.globalAveragePooling2d({ name: layer.name }).apply(x) as tfl.SymbolicTensor;
        break;
      case 'fc':
        x = classifier(network, layer, x, options.seed);
        break;
      case 'softmax':
        // V2's Dense already applies it; V1 applies it to the 1×1 conv output, then flattens.
        if (network.head === 'conv1x1') {
          x = tfl.layers.activation({ name: layer.name, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
          x = tfl.layers.reshape({ name: 'reshape_2', targetShape: [classes] }).apply(x) as tfl.SymbolicTensor;
        }
        break;
    }
    if (layer.batchNorm) {
      x = tfl.layers
        .batchNormalization({
          name: layer.batchNorm,
          axis: -1,
          epsilon: network.batchNorm.epsilon,
          momentum: network.batchNorm.momentum,
        })
        .apply(x) as tfl.SymbolicTensor;
      outputs.set(layer.batchNorm, x);
    }
    if (layer.residual) {
      const shortcut = outputs.get(layer.residual.from);
      if (!shortcut)
        throw new Error(
          `MobileNet definition error: shortcut source "${layer.residual.from}" of ${layer.name} comes later or does ` +
            `not exist`,
        );
      x = tfl.layers.add({ name: layer.residual.name }).apply([shortcut, x]) as tfl.SymbolicTensor;
      outputs.set(layer.residual.name, x);
    }
    if (layer.relu6) {
      x = tfl.layers.activation({ name: layer.relu6, activation: 'relu6' }).apply(x) as tfl.SymbolicTensor;
      outputs.set(layer.relu6, x);
    }
  }

  const { arch, alpha } = network.options;
  const model = tfl.model({ inputs: input, outputs: x, name: `mobilenet_${arch}_${alpha}_${resolution}` });
  if (options.weights) {
    try {
      loadWeightsByName(model, options.weights);
    } catch (error) {
      // The caller never gets the model, so free its variables here.
      model.dispose();
      throw error;
    }
  }
  return model;
}

function classifier(network: Network, layer: NetworkLayer, x: tfl.SymbolicTensor, seed?: number): tfl.SymbolicTensor {
  const classes = layer.output[2];
  if (network.head === 'dense') {
    return tfl.layers
      .dense({ name: layer.name, units: classes, activation: 'softmax', kernelInitializer: heInitializer(layer, seed) })
      .apply(x) as tfl.SymbolicTensor;
  }
  // Keras V1: the pooled vector as a 1×1 image, a (no-op at inference) dropout, then a 1×1 conv.
  let y = tfl.layers.reshape({ name: 'reshape_1', targetShape: [1, 1, layer.input[2]] }).apply(x) as tfl.SymbolicTensor;
  y = tfl.layers.dropout({ name: 'dropout', rate: 1e-3 }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers
    .conv2d({
      name: layer.name,
      filters: classes,
      kernelSize: 1,
      padding: 'same',
      useBias: true,
      kernelInitializer: heInitializer(layer, seed),
    })
    .apply(y) as tfl.SymbolicTensor;
}

/**
 * Assigns weights by their Keras names ("<layer>/<weight>"). Throws, naming the weights, when a
 * weight of the model is missing from the map, the map holds a weight the model lacks, or a
 * shape differs (usually a different α or class count).
 */
export function loadWeightsByName(model: tfl.LayersModel, weights: tf.NamedTensorMap): void {
  const expected = new Map(model.weights.map((w) => [w.originalName, w.shape]));
  const missing = [...expected.keys()].filter((name) => !(name in weights));
  const unknown = Object.keys(weights).filter((name) => !expected.has(name));
  const misshapen = Object.entries(weights)
    .filter(([name, value]) => expected.has(name) && String(expected.get(name)) !== String(value.shape))
    .map(
      ([name, value]) =>
        `${name} is [${value.shape.join(', ')}] but the model needs ` +
        `[${String(expected.get(name)).split(',').join(', ')}]`,
    );
  const problems = [
    missing.length
      ? `missing ${missing.length} weight(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`
      : '',
    unknown.length
      ? `${unknown.length} weight(s) the model does not have: ` +
        `${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}`
      : '',
    misshapen.length ? `shape mismatch: ${misshapen.slice(0, 3).join('; ')}${misshapen.length > 3 ? '; ...' : ''}` : '',
  ].filter(Boolean);
  if (problems.length) throw new Error(`Weights do not fit ${model.name}: ${problems.join('; ')}`);
  model.loadWeights(weights, true);
}

/**
 * Builds MobileNet V1 or V2 for any α in (0, 1.4], input resolution and class count (defaults:
 * v1, 1.0, 224, 1000) as a TF.js layers model. Throws a RangeError for invalid options.
 */
export function buildMobileNet(options: Partial<ArchitectureOptions>, build: BuildOptions = {}): tfl.LayersModel {
  return buildNetworkModel(expandArchitecture(withDefaults(options)), build);
}
