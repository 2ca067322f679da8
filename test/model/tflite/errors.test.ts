import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { TfliteFormatError, TfliteUnsupportedError } from '../../../src/model/tflite/errors';
import { V1_025_128_QUANT_TFLITE, readImage } from '../../fixtures';
import { buildTflite, reshapeOptions } from './build-tflite';

const FLOAT32 = 0;
const RESHAPE = 22;
const TANH = 28;

describe('importTflite: bad input gives clear errors', () => {
  const model = new Uint8Array(fs.readFileSync(V1_025_128_QUANT_TFLITE));

  it('rejects a truncated file at every cut, never crashing or half-loading', () => {
    // From inside the header to inside the appended label zip.
    for (const length of [0, 5, 16, 1000, model.length >> 1, model.length - 30000, model.length - 1000]) {
      assert.throws(
        () => importTflite(model.subarray(0, length)),
        (error: unknown) => error instanceof TfliteFormatError && /too short|truncated or corrupt/.test(error.message),
        `cut at ${length} bytes`,
      );
    }
  });

  it('rejects bytes that are not TFLite, naming the identifier it found', () => {
    assert.throws(
      () => importTflite(new Uint8Array(readImage('parrot.jpg'))),
      (error: unknown) => {
        return error instanceof TfliteFormatError && error.message.includes('expected file identifier "TFL3"');
      },
    );
    assert.throws(
      () => importTflite(new TextEncoder().encode('{"format": "layers-model", "modelTopology": {}}')),
      TfliteFormatError,
    );
  });

  it('names an unsupported operator and its index', () => {
    const bytes = buildTflite({
      tensors: [
        { shape: [1, 2, 2, 1], type: FLOAT32 },
        { shape: [1, 4], type: FLOAT32 },
        { shape: [1, 4], type: FLOAT32 },
      ],
      operators: [
        { code: RESHAPE, inputs: [0], outputs: [1], options: reshapeOptions([1, 4]) },
        { code: TANH, inputs: [1], outputs: [2] },
      ],
      inputs: [0],
      outputs: [2],
    });
    assert.throws(
      () => importTflite(bytes),
      (error: unknown) => {
        return (
          error instanceof TfliteUnsupportedError &&
          /operator TANH at operator index 1/.test(error.message) &&
          /supported: .*CONV_2D/.test(error.message)
        );
      },
    );
  });
});
