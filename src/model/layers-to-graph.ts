import type * as tfl from '@tensorflow/tfjs-layers';
import type { Activation, GraphOp, ModelGraph, WeightTensor } from './graph';
import { GraphConversionError } from './errors';
import { fuseGraph, type RawOp } from './fuse-graph';

type Layer = tfl.layers.Layer;
type Config = Record<string, unknown>;

function isNestedModel(layer: Layer): layer is tfl.LayersModel {
  return Array.isArray((layer as Partial<tfl.LayersModel>).layers);
}

/** Weight values by their short name (`kernel`, `gamma`, `moving_mean`, ...). */
function namedWeights(layer: Layer): Map<string, WeightTensor> {
  const result = new Map<string, WeightTensor>();
  for (const variable of layer.weights) {
    const short = variable.originalName.split('/').pop() ?? variable.originalName;
    const shortName = short.replace(/:\d+$/, '');
    const tensor = variable.read();
    result.set(shortName, {
      shape: tensor.shape.slice(),
      values: Float32Array.from(tensor.dataSync() as Float32Array),
    });
  }
  return result;
}

function required(weights: Map<string, WeightTensor>, name: string, layer: Layer): WeightTensor {
  const weight = weights.get(name);
  if (!weight) throw new GraphConversionError(`Layer "${layer.name}" has no "${name}" weight`);
  return weight;
}

function pair(value: unknown, fallback: number): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[1] ?? value[0])];
  if (typeof value === 'number') return [value, value];
  return [fallback, fallback];
}

function padding(value: unknown, layer: Layer): 'same' | 'valid' {
  if (value === 'same' || value === 'valid') return value;
  throw new GraphConversionError(
    `Layer "${layer.name}" uses padding "${String(value)}"; only same and valid are supported`,
  );
}

/** Keras activation names that fuse into a convolution; others become separate ops. */
function activationOps(name: unknown, input: string, output: string, layer: Layer): RawOp[] {
  switch (name) {
    case undefined:
    case null:
    case 'linear':
      return input === output ? [] : [{ op: 'identity', inputs: [input], output }];
    case 'relu':
      return [{ op: 'relu', inputs: [input], output }];
    case 'relu6':
      return [{ op: 'relu6', inputs: [input], output }];
    case 'softmax':
      return [{ op: 'softmax', beta: 1, inputs: [input], output }];
    case 'sigmoid':
      return [{ op: 'logistic', inputs: [input], output }];
    default:
      throw new GraphConversionError(
        `Layer "${layer.name}" uses activation "${String(name)}", which the fused graph does not support`,
      );
  }
}

/** Converts one (non-nested) layer; `input` names the tensor it reads, its output is named after it. */
function convertLayer(layer: Layer, inputs: string[], output: string): RawOp[] {
  const config = layer.getConfig() as Config;
  const className = layer.getClassName();
  const [input] = inputs;
  const preActivation = `${output}/pre_activation`;
  const none: Activation = 'none';
  switch (className) {
    case 'Conv2D':
    case 'DepthwiseConv2D': {
      const weights = namedWeights(layer);
      const depthwise = className === 'DepthwiseConv2D';
      const conv: GraphOp = {
        op: depthwise ? 'depthwiseConv2d' : 'conv2d',
        inputs: [input],
        output: preActivation,
        filter: required(weights, depthwise ? 'depthwise_kernel' : 'kernel', layer),
        bias: weights.get('bias'),
        strides: pair(config.strides, 1),
        padding: padding(config.padding, layer),
        dilations: pair(config.dilationRate, 1),
        activation: none,
      };
      return [conv, ...activationOps(config.activation, preActivation, output, layer)];
    }
    case 'Dense': {
      const weights = namedWeights(layer);
      const dense: GraphOp = {
        op: 'fullyConnected',
        inputs: [input],
        output: preActivation,
        weights: required(weights, 'kernel', layer),
        bias: weights.get('bias'),
        activation: none,
      };
      return [dense, ...activationOps(config.activation, preActivation, output, layer)];
    }
    case 'BatchNormalization': {
      const weights = namedWeights(layer);
      const mean = required(weights, 'moving_mean', layer).values;
      const variance = required(weights, 'moving_variance', layer).values;
      const gamma = weights.get('gamma')?.values;
      const beta = weights.get('beta')?.values;
      const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
      const scale = new Float32Array(mean.length);
      const shift = new Float32Array(mean.length);
      for (let c = 0; c < mean.length; c++) {
        scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
        shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
      }
      return [{ op: 'batchNorm', inputs: [input], output, scale, shift }];
    }
    case 'Activation':
      return activationOps(config.activation, input, output, layer);
    case 'ReLU': {
      const maxValue = config.maxValue;
      if (maxValue === 6) return [{ op: 'relu6', inputs: [input], output }];
      if (maxValue === undefined || maxValue === null) return [{ op: 'relu', inputs: [input], output }];
      throw new GraphConversionError(
        `Layer "${layer.name}" is a ReLU capped at ${String(maxValue)}; only 6 or no cap are supported`,
      );
    }
    case 'Softmax':
      return [{ op: 'softmax', beta: 1, inputs: [input], output }];
    case 'Dropout':
    case 'SpatialDropout2D':
      return [{ op: 'identity', inputs: [input], output }];
    case 'GlobalAveragePooling2D':
      return [{ op: 'mean', axes: [1, 2], keepDims: false, inputs: [input], output }];
    case 'AveragePooling2D':
    case 'MaxPooling2D':
      return [
        {
          op: className === 'AveragePooling2D' ? 'avgPool' : 'maxPool',
          inputs: [input],
          output,
          filterSize: pair(config.poolSize, 2),
          strides: pair(config.strides ?? config.poolSize, 2),
          padding: padding(config.padding, layer),
          activation: none,
        },
      ];
    case 'Reshape':
      return [{ op: 'reshape', shape: [-1, ...(config.targetShape as number[])], inputs: [input], output }];
    case 'Flatten':
      return [{ op: 'reshape', shape: [-1, -1], inputs: [input], output }];
    case 'ZeroPadding2D': {
      const raw = config.padding;
      const [[top, bottom], [left, right]] =
        Array.isArray(raw) && Array.isArray(raw[0])
          ? (raw as [[number, number], [number, number]])
          : [pair(raw, 1), pair(raw, 1)];
      return [
        {
          op: 'pad',
          paddings: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
          inputs: [input],
          output,
        },
      ];
    }
    case 'Add':
      if (inputs.length !== 2)
        throw new GraphConversionError(`Layer "${layer.name}" adds ${inputs.length} tensors; only 2 are supported`);
      return [{ op: 'add', activation: none, inputs, output }];
    case 'Concatenate':
      return [
        { op: 'concat', axis: typeof config.axis === 'number' ? config.axis : -1, activation: none, inputs, output },
      ];
    default:
      throw new GraphConversionError(`Layer "${layer.name}" is a ${className}, which the fused graph does not support`);
  }
}

/**
 * Appends a (possibly nested) model's layers; returns the name of its output tensor.
 * Nested models (Teachable Machine wraps a truncated MobileNet in a Sequential) are inlined.
 */
function appendModel(model: tfl.LayersModel, input: string, prefix: string, ops: RawOp[]): string {
  const names = new Map<Layer, string>();
  // A Sequential read from JSON keeps no inbound links between its layers: it is a chain.
  const sequential = model.getClassName() === 'Sequential';
  let last = input;
  for (const layer of model.layers) {
    const output = `${prefix}${layer.name}`;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const inputs = sequential
      ? [last]
      : inbound.length === 0
        ? [input]
        : inbound.map((source) => names.get(source) ?? input);
    if (layer.getClassName() === 'InputLayer') {
      names.set(layer, input);
      continue;
    }
    if (isNestedModel(layer)) {
      if (inputs.length !== 1)
        throw new GraphConversionError(`Nested model "${layer.name}" has ${inputs.length} inputs; only 1 is supported`);
      last = appendModel(layer, inputs[0], `${output}/`, ops);
    } else {
      ops.push(...convertLayer(layer, inputs, output));
      last = output;
    }
    names.set(layer, last);
  }
  if (model.outputs.length !== 1)
    throw new GraphConversionError(`Model "${model.name}" has ${model.outputs.length} outputs; a classifier has 1`);
  const outputLayer = model.outputs[0].sourceLayer;
  return names.get(outputLayer as Layer) ?? last;
}

/** Reads a loaded Keras/TF.js layers model into the package's fused graph (BN folded, activations fused). */
export function layersModelToGraph(model: tfl.LayersModel): ModelGraph {
  if (model.inputs.length !== 1)
    throw new GraphConversionError(`Model "${model.name}" has ${model.inputs.length} inputs; a classifier has 1`);
  const shape = model.inputs[0].shape;
  const [height, width, channels] = [shape[1], shape[2], shape[3]];
  if (shape.length !== 4 || !height || !width || !channels) {
    throw new GraphConversionError(
      `Model "${model.name}" takes input of shape [${shape.join(', ')}]; an image classifier takes [batch, height, ` +
        `width, channels]`,
    );
  }
  const inputName = 'input';
  const raw: RawOp[] = [];
  const output = appendModel(model, inputName, '', raw);
  return fuseGraph(
    { name: model.name, input: { name: inputName, shape: [height, width, channels] }, output, constants: {} },
    raw,
  );
}
