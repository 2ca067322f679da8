import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { compileGraph } from '../../../src/engine/compile-graph';
import type { Conv2DOp, DepthwiseConv2DOp } from '../../../src/model/graph';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { TfliteFormatError, TfliteUnsupportedError } from '../../../src/model/tflite/errors';
import {
  buildTflite,
  conv2dOptions,
  depthwiseOptions,
  int32Bytes,
  int8Bytes,
  reshapeOptions,
  type TensorSpec,
} from './build-tflite';

const INT8 = 9;
const INT32 = 2;
const CONV_2D = 3;
const RESHAPE = 22;
const DEPTHWISE_CONV_2D = 4;

/**
 * One 1×1 CONV_2D with two output channels quantised per channel (int8, different scales on
 * quantized_dimension 0) and an int32 bias, then a RESHAPE to [1, 2].
 *
 * Worked by hand:
 *   input int8 (scale 0.5, zero point 0): q = [4, -2] → real [2, -1]
 *   filter [out, kh, kw, in]: channel 0 q = [10, -20] × 0.1 = [1, -2]; channel 1 q = [4, 8] × 0.25 = [1, 2]
 *   bias int32 q = [20, -8] × (0.5 × 0.1, 0.5 × 0.25) = [1, -1]
 *   channel 0: 2·1 + (-1)·(-2) + 1 = 5;   channel 1: 2·1 + (-1)·2 − 1 = −1
 *   output int8 (scale 0.3, zero point 0): 5 / 0.3 = 16.67 → 17 → 5.1;  −1 / 0.3 = −3.33 → −3 → −0.9
 */
function perChannelModel(filter: Partial<TensorSpec> = {}): Uint8Array {
  return buildTflite({
    tensors: [
      { shape: [1, 1, 1, 2], type: INT8, quant: { scale: [0.5], zeroPoint: [0] }, name: 'input' },
      {
        shape: [2, 1, 1, 2],
        type: INT8,
        data: int8Bytes([10, -20, 4, 8]),
        quant: { scale: [0.1, 0.25], zeroPoint: [0, 0], dimension: 0 },
        name: 'filter',
        ...filter,
      },
      {
        shape: [2],
        type: INT32,
        data: int32Bytes([20, -8]),
        quant: { scale: [0.05, 0.125], zeroPoint: [0, 0] },
        name: 'bias',
      },
      { shape: [1, 1, 1, 2], type: INT8, quant: { scale: [0.3], zeroPoint: [0] }, name: 'conv' },
      { shape: [1, 2], type: INT8, quant: { scale: [0.3], zeroPoint: [0] }, name: 'output' },
    ],
    operators: [
      { code: CONV_2D, inputs: [0, 1, 2], outputs: [3], options: conv2dOptions(1, 1, 0) },
      { code: RESHAPE, inputs: [3], outputs: [4], options: reshapeOptions([1, 2]) },
    ],
    inputs: [0],
    outputs: [4],
  });
}

/**
 * One 1×1 DEPTHWISE_CONV_2D, depth multiplier 2, no bias, four output channels each with its
 * own int8 scale on quantized_dimension 3 (TFLite's [1, kh, kw, in × multiplier] layout).
 *
 * Worked by hand:
 *   input int8 (scale 0.5): q = [4, -2] → real [2, -1]
 *   filter q = [10, 5, 4, -2] × [0.1, 0.2, 0.25, 0.5] = [1, 1, 1, -1]; channel c·2 + m reads input c
 *   outputs: 2·1 = 2, 2·1 = 2, (−1)·1 = −1, (−1)·(−1) = 1
 *   output int8 (scale 0.3): 6.67 → 7, 6.67 → 7, −3.33 → −3, 3.33 → 3 = [2.1, 2.1, −0.9, 0.9]
 */
function depthwiseModel(): Uint8Array {
  return buildTflite({
    tensors: [
      { shape: [1, 1, 1, 2], type: INT8, quant: { scale: [0.5], zeroPoint: [0] } },
      {
        shape: [1, 1, 1, 4],
        type: INT8,
        data: int8Bytes([10, 5, 4, -2]),
        quant: { scale: [0.1, 0.2, 0.25, 0.5], zeroPoint: [0, 0, 0, 0], dimension: 3 },
      },
      { shape: [1, 1, 1, 4], type: INT8, quant: { scale: [0.3], zeroPoint: [0] } },
      { shape: [1, 4], type: INT8, quant: { scale: [0.3], zeroPoint: [0] } },
    ],
    operators: [
      { code: DEPTHWISE_CONV_2D, inputs: [0, 1, -1], outputs: [2], options: depthwiseOptions(0, 1, 2, 0) },
      { code: RESHAPE, inputs: [2], outputs: [3], options: reshapeOptions([1, 4]) },
    ],
    inputs: [0],
    outputs: [3],
  });
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `value ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

describe('importTflite: per-channel int8', () => {
  before(async () => {
    await tf.setBackend('wasm');
  });

  it('dequantises each output channel with its own scale and lays the filter out as [kh, kw, in, out]', () => {
    const imported = importTflite(perChannelModel());
    const conv = imported.graph.ops[0] as Conv2DOp;
    assert.equal(conv.op, 'conv2d');
    assert.deepEqual(conv.filter.shape, [1, 1, 2, 2]);
    // [in0→out0, in0→out1, in1→out0, in1→out1]
    assertClose(conv.filter.values, [1, 1, -2, 2]);
    assertClose(conv.bias?.values ?? [], [1, -1]);
    assert.deepEqual(
      conv.weightScales?.map((s) => Math.fround(s)),
      [Math.fround(0.1), Math.fround(0.25)],
    );
    assert.equal(conv.padding, 'valid');
    assert.deepEqual(conv.requantize, { scale: Math.fround(0.3), zeroPoint: 0, qmin: -128, qmax: 127 });
  });

  it('decodes weights when they are first read (an engine running the file never does), once', () => {
    const conv = importTflite(perChannelModel()).graph.ops[0] as Conv2DOp;
    for (const weight of [conv.filter, conv.bias]) {
      assert.equal(typeof Object.getOwnPropertyDescriptor(weight, 'values')?.get, 'function', 'not decoded yet');
    }
    assert.equal(conv.filter.values, conv.filter.values, 'decoded once, then the same array');
    assertClose(conv.filter.values, [1, 1, -2, 2]);
  });

  it('still refuses a weight it could not decode at import, not when it is read', () => {
    const refusals: Array<[Partial<TensorSpec>, typeof TfliteFormatError, RegExp]> = [
      [
        { data: int8Bytes([10, -20, 4]) },
        TfliteFormatError,
        /shape \[2, 1, 1, 2\] needs 4 bytes of INT8, the buffer holds 3/,
      ],
      [
        { quant: { scale: [0.1, 0.25, 0.5], zeroPoint: [0, 0, 0], dimension: 0 } },
        TfliteFormatError,
        /3 per-channel scales for dimension 0 of shape \[2, 1, 1, 2\]/,
      ],
      [{ quant: undefined }, TfliteUnsupportedError, /holds INT8 weights without a scale/],
    ];
    for (const [filter, kind, message] of refusals) {
      assert.throws(
        () => importTflite(perChannelModel(filter)),
        (error: unknown) => error instanceof kind && message.test(error.message),
        JSON.stringify(Object.keys(filter)),
      );
    }
  });

  it('describes the int8 input: pixels p mean q = p - 128', () => {
    const imported = importTflite(perChannelModel());
    assert.equal(imported.inputDtype, 'int8');
    assert.deepEqual(imported.graph.input.quant, { scale: 0.5, zeroPoint: 0, qmin: -128, qmax: 127 });
    assert.deepEqual(imported.normalization, { scale: 0.5, offset: -64 });
    assert.equal(imported.scores, 'logits', 'a conv + reshape ends in raw values');
  });

  it('computes the hand-worked outputs, re-quantised by default and exact in float mode', () => {
    const start = tf.memory().numTensors;
    const input = tf.tensor4d([2, -1], [1, 1, 1, 2]);
    for (const [float, expected] of [
      [false, [5.1, -0.9]],
      [true, [5, -1]],
    ] as const) {
      const executable = compileGraph(importTflite(perChannelModel(), { float }).graph, { float });
      const output = executable.run(input);
      assertClose(output.dataSync(), [...expected]);
      output.dispose();
      executable.dispose();
    }
    input.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('splits a depthwise filter into [kh, kw, in, multiplier] with a scale per output channel', () => {
    const imported = importTflite(depthwiseModel());
    const depthwise = imported.graph.ops[0] as DepthwiseConv2DOp;
    assert.equal(depthwise.op, 'depthwiseConv2d');
    assert.deepEqual(depthwise.filter.shape, [1, 1, 2, 2]);
    assertClose(depthwise.filter.values, [1, 1, 1, -1]);
    assert.equal(depthwise.bias, undefined);
    const start = tf.memory().numTensors;
    const input = tf.tensor4d([2, -1], [1, 1, 1, 2]);
    for (const [float, expected] of [
      [false, [2.1, 2.1, -0.9, 0.9]],
      [true, [2, 2, -1, 1]],
    ] as const) {
      const executable = compileGraph(importTflite(depthwiseModel(), { float }).graph, { float });
      const output = executable.run(input);
      assertClose(output.dataSync(), [...expected]);
      output.dispose();
      executable.dispose();
    }
    input.dispose();
    assert.equal(tf.memory().numTensors, start);
  });
});
