import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../../../src/engine/compile-graph';
import { type Int8Quantization, quantizeGraphToInt8 } from '../../../src/engine/int8/quantize-graph';
import type { ModelGraph } from '../../../src/model/graph';
import { layersModelToGraph } from '../../../src/model/layers-to-graph';
import { directoryHandler } from '../../../src/model/model-files';
import { MINUS_ONE_TO_ONE } from '../../../src/model/normalization';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { Model } from '../../../src/model/tflite/model-tables';
import { TensorType } from '../../../src/model/tflite/schema-enums';
import {
  argmax,
  FIXTURES,
  REFERENCE_PHOTOS,
  referencePixels,
  V1_025_LAYERS_DIR,
  V2_QUANT_TFLITE,
} from '../../fixtures';

const PHOTOS = REFERENCE_PHOTOS;

/** Scores of `graph` on each photo, fed pixel × scale + offset. */
function scores(graph: ModelGraph, normalization: { scale: number; offset: number }): Float32Array[] {
  const executable = compileGraph(graph);
  try {
    return PHOTOS.map((photo) => {
      const pixels = referencePixels(photo);
      const input = tf.tensor4d(
        Float32Array.from(pixels, (p) => p * normalization.scale + normalization.offset),
        [1, 224, 224, 3],
      );
      const output = executable.run(input);
      const values = output.dataSync() as Float32Array;
      tf.dispose([input, output]);
      return values;
    });
  } finally {
    executable.dispose();
  }
}

/** Top-1 agreement and the largest score move of the int8 file (run by our reader's integer emulation) vs float. */
function compare(float: Float32Array[], quantized: Int8Quantization): { agree: number; worst: number; moves: string } {
  const imported = importTflite(quantized.bytes);
  const int8 = scores(imported.graph, imported.normalization);
  let agree = 0;
  let worst = 0;
  const moves: string[] = [];
  float.forEach((f, i) => {
    if (argmax(f) === argmax(int8[i])) agree++;
    const move = f.reduce((m, v, j) => Math.max(m, Math.abs(v - int8[i][j])), 0);
    worst = Math.max(worst, move);
    moves.push(`${PHOTOS[i]} ${move.toFixed(3)}`);
  });
  return { agree, worst, moves: moves.join(', ') };
}

describe('int8 post-training quantisation', function () {
  this.timeout(180_000);
  let graph: ModelGraph;
  let float: Float32Array[];
  let generated: Int8Quantization;

  before(async function () {
    await tf.setBackend('wasm');
    const model = await tfl.loadLayersModel(directoryHandler(V1_025_LAYERS_DIR));
    graph = layersModelToGraph(model);
    model.dispose();
    float = scores(graph, MINUS_ONE_TO_ONE);
    generated = await quantizeGraphToInt8(graph, MINUS_ONE_TO_ONE);
  });

  it('writes a full-integer file: uint8 pixels in, int8 per-channel weights, int32 biases, float32 out', function () {
    assert.equal(generated.calibration, '24 generated images');
    const model = Model.fromBytes(generated.bytes);
    const subgraph = model.subgraphs()[0];
    const tensors = subgraph.tensors();
    const input = tensors[subgraph.inputs()[0]];
    assert.equal(input.type(), TensorType.UINT8);
    assert.deepEqual(input.quantization()?.zeroPoint(), [128]);
    assert.ok(Math.abs((input.quantization()?.scale()[0] ?? 0) - 1 / 127.5) < 1e-9);
    assert.deepEqual(
      subgraph.outputs().map((i) => [tensors[i].type(), tensors[i].shape()]),
      [
        [TensorType.FLOAT32, [1, 1000]],
        [TensorType.FLOAT32, [1, 256]],
      ],
    );
    assert.equal(importTflite(generated.bytes).embeddingOutput, 1, 'the float32 embedding output, found by name');
    const codes = model.operatorCodes();
    let convolutions = 0;
    for (const operator of subgraph.operators()) {
      const code = codes[operator.opcodeIndex()].builtinCode();
      if (code !== 3 && code !== 4) continue; // CONV_2D, DEPTHWISE_CONV_2D
      convolutions++;
      const [, weights, bias] = operator.inputs().map((i) => tensors[i]);
      assert.equal(weights.type(), TensorType.INT8);
      const channels = code === 3 ? weights.shape()[0] : weights.shape()[3];
      assert.equal(weights.quantization()?.scale().length, channels, 'one scale per output channel');
      assert.ok(
        weights
          .quantization()
          ?.zeroPoint()
          .every((z) => z === 0),
        'symmetric weights',
      );
      assert.equal(bias.type(), TensorType.INT32);
      assert.ok(operator.outputs().every((i) => tensors[i].type() === TensorType.INT8));
    }
    assert.equal(convolutions, 28);
  });

  it('V1 0.25, default calibration: top-1 identical to float on the ten fixture photos', function () {
    const { agree, worst, moves } = compare(float, generated);
    console.log(`      default calibration: top-1 ${agree}/10, largest score move ${worst.toFixed(3)} (${moves})`);
    assert.equal(agree, 10);
    assert.ok(worst < 0.1, `largest score move ${worst}`);
  });

  it('calibrates on a folder of photos, sub-folders included (the few-shot photos, not the ten)', async function () {
    const quantized = await quantizeGraphToInt8(graph, MINUS_ONE_TO_ONE, path.join(FIXTURES, 'images', 'fewshot'));
    assert.match(quantized.calibration, /^\d+ images from /);
    assert.ok(quantized.images > 20, `${quantized.images} images`);
    const { agree, worst } = compare(float, quantized);
    console.log(`      ${quantized.calibration}: top-1 ${agree}/10, largest score move ${worst.toFixed(3)}`);
    assert.equal(agree, 10);
  });

  it('refuses a model that is already quantised, and a folder without images', async function () {
    const quantizedGraph = importTflite(fs.readFileSync(V2_QUANT_TFLITE)).graph;
    await assert.rejects(quantizeGraphToInt8(quantizedGraph, MINUS_ONE_TO_ONE), /already quantised/);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'int8-empty-'));
    try {
      await assert.rejects(quantizeGraphToInt8(graph, MINUS_ONE_TO_ONE, empty), /No calibration images in/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
