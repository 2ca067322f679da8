import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { MODELS, V1_025_LAYERS_DIR } from '../../fixtures';

const CLI = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const run = promisify(execFile);
const V2_QUANT = path.join(MODELS, 'mobilenet_v2_1.0_224_quant_tflite', 'mobilenet_v2_1.0_224_quant.tflite');

async function mobilenet(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, ...args], {
    env: { ...process.env, MOBILENET_CACHE: '/nonexistent-should-not-be-used' },
  });
  return stdout;
}

describe('what info and quantize print', function () {
  this.timeout(180_000);

  it('info on a quantised .tflite: says uint8, how a pixel is read, and sizes in binary units', async function () {
    const out = await mobilenet('info', V2_QUANT);
    assert.match(
      out,
      /^input {10}224×224 RGB uint8: the pixel bytes are the model's integer input \(quantised, meaning pixel \/ 128/m,
    );
    assert.match(out, /^size on disk {3}3\.44 MiB \(3,610,798 bytes\)$/m);
    assert.match(out, /^weights {8}uint8 \(quantised\) in 53 of 53 layers with weights/m);
    assert.doesNotMatch(out, /normalization|\+ -|\bMB\b/);
  });

  it('info on a float layers model: float32 input written as a formula with its sign', async function () {
    const out = await mobilenet('info', V1_025_LAYERS_DIR);
    assert.match(out, /^input {10}224×224 RGB float32: pixel \/ 127\.5 − 1$/m);
    assert.match(out, /^size on disk {3}1\.89 MiB \(1,977,996 bytes\)$/m);
  });

  it('quantize uint8 says how many kernels stay uint16; float16 does not mention equalisation', async function () {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quantize-output-'));
    try {
      const uint8 = await mobilenet('quantize', '--dtype', 'uint8', V1_025_LAYERS_DIR, path.join(work, 'u8'));
      assert.match(
        uint8,
        /^uint8: weights 1\.81 MiB → [\d.]+ KiB \([\d.]+× smaller\), 28 kernels quantised: 8 to uint8, 20 \(the/m,
      );
      assert.match(uint8, /27 kernels equalised through their batch-norm first/);
      const float16 = await mobilenet('quantize', '--dtype', 'float16', V1_025_LAYERS_DIR, path.join(work, 'f16'));
      assert.match(
        float16,
        /^float16: weights 1\.81 MiB → [\d.]+ KiB \([\d.]+× smaller\), 28 kernels stored as float16, /m,
      );
      assert.doesNotMatch(float16, /equalised|rounding shifts|uint16|\bMB\b/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
