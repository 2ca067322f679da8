import * as assert from 'node:assert/strict';
import { importTflite } from '../../../src/model/tflite/import-tflite';
import { TfliteFormatError, TfliteUnsupportedError } from '../../../src/model/tflite/errors';
import { buildMetadata, buildTflite, reshapeOptions } from './build-tflite';
import { zip } from './build-zip';

const FLOAT32 = 0;
const RESHAPE = 22;
const SOFTMAX = 25;

/** A float classifier (reshape → softmax) with metadata and a deflated label file zipped on. */
function floatModel(mean: number[], std: number[], withZip = true): Uint8Array {
  const model = buildTflite({
    tensors: [
      { shape: [1, 1, 1, 3], type: FLOAT32 },
      { shape: [1, 3], type: FLOAT32 },
      { shape: [1, 3], type: FLOAT32 },
    ],
    operators: [
      { code: RESHAPE, inputs: [0], outputs: [1], options: reshapeOptions([1, 3]) },
      { code: SOFTMAX, inputs: [1], outputs: [2] },
    ],
    inputs: [0],
    outputs: [2],
    metadata: buildMetadata({ description: 'Three made-up classes', mean, std, labelFile: 'labels.txt' }),
  });
  if (!withZip) return model;
  const archive = zip([
    { name: 'notes.txt', content: new TextEncoder().encode('not the labels'), deflate: false },
    { name: 'labels.txt', content: new TextEncoder().encode('background\r\nsun\r\nmoon\r\n'), deflate: true },
  ]);
  const bytes = new Uint8Array(model.length + archive.length);
  bytes.set(model);
  bytes.set(archive, model.length);
  return bytes;
}

describe('importTflite: float input with TFLite metadata', () => {
  it('normalises pixels with the metadata mean and std: real = (p - mean) / std', () => {
    const imported = importTflite(floatModel([127.5], [127.5]));
    assert.equal(imported.inputDtype, 'float32');
    assert.equal(imported.graph.input.quant, undefined);
    assert.deepEqual(imported.normalization, { scale: 1 / 127.5, offset: -1 });
    assert.deepEqual(importTflite(floatModel([0, 0, 0], [255, 255, 255])).normalization, { scale: 1 / 255, offset: 0 });
  });

  it('takes the description and the label file the metadata names (not another zip entry)', () => {
    const imported = importTflite(floatModel([127.5], [127.5]));
    assert.equal(imported.description, 'Three made-up classes');
    assert.deepEqual(imported.labels, ['background', 'sun', 'moon']);
    assert.ok(
      imported.graph.ops.every((op) => !op.requantize),
      'a float model has no grids',
    );
    assert.equal(imported.scores, 'probabilities');
  });

  it('refuses per-channel normalisation it cannot express, naming the values', () => {
    assert.throws(
      () => importTflite(floatModel([123.7, 116.3, 103.5], [58.4, 57.1, 57.4])),
      (error: unknown) => {
        return (
          error instanceof TfliteUnsupportedError &&
          error.message.includes('different mean per channel ([123.7, 116.3, 103.5])')
        );
      },
    );
  });

  it('calls a missing label zip a truncated file when the metadata names one', () => {
    assert.throws(
      () => importTflite(floatModel([127.5], [127.5], false)),
      (error: unknown) => {
        return error instanceof TfliteFormatError && error.message.includes('"labels.txt"');
      },
    );
  });
});
