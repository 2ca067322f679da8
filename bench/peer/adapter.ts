/**
 * The smallest adapter that lets `@tensorflow-models/mobilenet` run the fixture V1 0.25 weights:
 * its loader wants a TF.js graph model whose output is 1001 logits (index 0 the background class
 * it slices off). Its real models are converter-made graph models with batch-norm folded and ops
 * fused, so this one is too: the fixture's layers model read into this package's fused graph
 * (batch-norm folded, bias and ReLU6 fused into each convolution), written out as a GraphDef of
 * _FusedConv2D / FusedDepthwiseConv2dNative nodes, the classifier conv given a zero first column.
 * The comparison is then about everything around inference, not about handicapping the peer.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import type { ModelGraph, WeightTensor } from '../../src/model/graph';
import { layersModelToGraph } from '../../src/model/layers-to-graph';
import { directoryHandler } from '../../src/model/model-files';

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const ints = (values: number[]) => ({ list: { i: values.map(String) } });

/** Appends a zero logit before the others: [.., classes] → [.., 1 + classes]. */
function withBackgroundColumn(tensor: WeightTensor): WeightTensor {
  const classes = tensor.shape[tensor.shape.length - 1];
  const rows = tensor.values.length / classes;
  const values = new Float32Array(rows * (classes + 1));
  for (let row = 0; row < rows; row++)
    values.set(tensor.values.subarray(row * classes, (row + 1) * classes), row * (classes + 1) + 1);
  return { shape: [...tensor.shape.slice(0, -1), classes + 1], values };
}

/** The fused graph of the V1 layers model in `layersDir`, up to its logits. */
async function fusedGraph(layersDir: string): Promise<ModelGraph> {
  const model = await tfl.loadLayersModel(directoryHandler(layersDir));
  try {
    return layersModelToGraph(model);
  } finally {
    model.dispose();
  }
}

/** Writes model.json + weights.bin (a TF.js graph model, 1001 logits) for the layers model in `layersDir`. */
export async function writePeerGraphModel(layersDir: string, outDir: string): Promise<string> {
  const graph = await fusedGraph(layersDir);
  const softmax = graph.ops.findIndex((op) => op.op === 'softmax');
  if (softmax < 1) throw new Error('expected a V1 graph ending in a softmax over the classifier conv');
  const logitsOp = graph.ops[softmax - 1];
  const nodes: GraphNode[] = [
    {
      name: graph.input.name,
      op: 'Placeholder',
      attr: {
        dtype: { type: 'DT_FLOAT' },
        shape: { shape: { dim: [-1, ...graph.input.shape].map((size) => ({ size: String(size) })) } },
      },
    },
  ];
  const specs: WeightSpec[] = [];
  const buffers: Buffer[] = [];
  const constant = (name: string, shape: number[], values: Float32Array | Int32Array) => {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    nodes.push({
      name,
      op: 'Const',
      attr: {
        value: {
          tensor: {
            dtype: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT',
            tensorShape: { dim: shape.map((size) => ({ size: String(size) })) },
          },
        },
        dtype: { type: dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' },
      },
    });
    specs.push({ name, shape, dtype });
    buffers.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    return name;
  };
  for (const op of graph.ops.slice(0, softmax)) {
    const x = op.inputs[0];
    switch (op.op) {
      case 'conv2d':
      case 'depthwiseConv2d': {
        const isLogits = op === logitsOp;
        const filter = isLogits ? withBackgroundColumn(op.filter) : op.filter;
        const outChannels = op.op === 'conv2d' ? filter.shape[3] : filter.shape[2] * filter.shape[3];
        const bias = op.bias ?? { shape: [outChannels], values: new Float32Array(outChannels) };
        const biasValues = isLogits ? withBackgroundColumn(bias) : bias;
        const fused = [
          'BiasAdd',
          ...(op.activation === 'relu6' ? ['Relu6'] : op.activation === 'relu' ? ['Relu'] : []),
        ];
        nodes.push({
          name: op.output,
          op: op.op === 'conv2d' ? '_FusedConv2D' : 'FusedDepthwiseConv2dNative',
          input: [
            x,
            constant(`${op.output}/filter`, filter.shape, filter.values),
            constant(`${op.output}/bias`, biasValues.shape, biasValues.values),
          ],
          attr: {
            T: { type: 'DT_FLOAT' },
            num_args: { i: '1' },
            data_format: { s: b64('NHWC') },
            strides: ints([1, op.strides[0], op.strides[1], 1]),
            dilations: ints([1, 1, 1, 1]),
            padding: { s: b64(op.padding.toUpperCase()) },
            fused_ops: { list: { s: fused.map(b64) } },
            epsilon: { f: 0 },
          },
        });
        break;
      }
      case 'mean':
        nodes.push({
          name: op.output,
          op: 'Mean',
          input: [x, constant(`${op.output}/axes`, [op.axes.length], Int32Array.from(op.axes))],
          attr: { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: op.keepDims } },
        });
        break;
      case 'reshape':
        nodes.push({
          name: op.output,
          op: 'Reshape',
          input: [x, constant(`${op.output}/shape`, [op.shape.length], Int32Array.from(op.shape))],
          attr: { T: { type: 'DT_FLOAT' }, Tshape: { type: 'DT_INT32' } },
        });
        break;
      default:
        throw new Error(`the peer adapter does not write a "${op.op}" op`);
    }
  }
  const classes = 1 + (logitsOp.op === 'conv2d' ? logitsOp.filter.shape[3] : 0);
  nodes.push({
    name: 'logits',
    op: 'Reshape',
    input: [logitsOp.output, constant('logits/shape', [2], Int32Array.from([-1, classes]))],
    attr: { T: { type: 'DT_FLOAT' }, Tshape: { type: 'DT_INT32' } },
  });
  await fs.mkdir(outDir, { recursive: true });
  await fs.writeFile(path.join(outDir, 'weights.bin'), Buffer.concat(buffers));
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'bench/peer/adapter.ts (fused graph of the fixture layers model)',
    convertedBy: null,
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  await fs.writeFile(path.join(outDir, 'model.json'), JSON.stringify(modelJson));
  return outDir;
}
