import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InferenceWorker } from '../../src/runner/inference-worker';
import { V1_025_LAYERS_DIR } from '../fixtures';

describe('a worker handed the written .tflite its classifier found', function () {
  this.timeout(120_000);

  it('finds (or writes) it again itself when the file is gone by the time it reads it', async function () {
    const gone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'written-gone-')), 'model-0.float32.tflite');
    const { worker, info } = await InferenceWorker.start({
      model: { format: 'layers', path: V1_025_LAYERS_DIR },
      backend: 'auto',
      engine: 'litert',
      writtenTflite: Promise.resolve(gone),
    });
    try {
      assert.equal(info.engine, 'litert');
      assert.equal(info.mode, 'written-tflite');
      assert.equal(info.classes, 1000);
      assert.equal(info.embeddingSize, 256);
      const { scores } = await worker.infer(new Float32Array(224 * 224 * 3));
      assert.equal(scores.length, 1000);
    } finally {
      await worker.terminate();
      fs.rmSync(path.dirname(gone), { recursive: true, force: true });
    }
  });
});
