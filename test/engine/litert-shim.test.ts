import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTflite, runTfliteOnce, supportedLiteRtBuild } from '../../src/engine/litert';
import { LITERT_GLUE_FILES } from '../../src/engine/litert/wasm-build';
import { installLiteRtShim } from '../../src/engine/litert/shim';
import { precompiledLiteRt, wasmApi } from '../../src/engine/litert/shared-wasm';

/** A wasm module importing function `nowhere.f` (type () -> ()): valid, but no glue links it. */
const UNLINKABLE_WASM = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 13, 1, 7, 110, 111, 119, 104, 101, 114, 101, 1, 102, 0, 0,
];
import { referenceOutputs, V1_025_128_QUANT_TFLITE } from '../fixtures';

/**
 * The LiteRT.js shim (src/engine/litert/shim.ts) leans on how this exact LiteRT.js version loads
 * its wasm: importScripts + self.ModuleFactory, a UMD glue file per build. An upgrade that changes
 * any of that must fail here, by name, before it reaches a user.
 */
describe('LiteRT.js in Node through the shim', function () {
  this.timeout(120_000);

  const pkgDir = path.dirname(require.resolve('@litertjs/core/package.json'));

  it('is the exact version the shim was written for', function () {
    const pinned = (
      JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies['@litertjs/core'];
    const installed = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.match(pinned, /^\d+\.\d+\.\d+$/, 'LiteRT.js must be pinned exactly: the shim fits one version');
    assert.equal(installed, pinned);
  });

  it('finds the glue file of every build it may pick', function () {
    for (const file of Object.values(LITERT_GLUE_FILES)) {
      assert.ok(fs.existsSync(path.join(pkgDir, 'wasm', file)), `LiteRT.js no longer ships wasm/${file}`);
      assert.ok(fs.existsSync(path.join(pkgDir, 'wasm', file.replace(/\.js$/, '.wasm'))));
    }
  });

  it('picks the relaxed-SIMD build where the runtime has it, and that build gives the reference too', function () {
    // This runtime: Node 22+ has relaxed SIMD, Node 20 only behind a flag.
    const major = Number(process.versions.node.split('.')[0]);
    assert.equal(supportedLiteRtBuild(), major >= 22 ? 'relaxed-simd' : 'compat');
    // On Node 22 the next test runs the relaxed-SIMD build (relaxed SIMD cannot be switched off there). On Node 20
    // the relaxed-SIMD build runs in a child with the flag: what a Node 22 user gets, checked in the first pass.
    if (major >= 22) return;
    const flag = '--experimental-wasm-relaxed-simd';
    const other = 'relaxed-simd';
    const litert = JSON.stringify(require.resolve('../../src/engine/litert'));
    const script = `
      const fs = require('node:fs');
      const { runTflite, supportedLiteRtBuild } = require(${litert});
      const file = ${JSON.stringify(V1_025_128_QUANT_TFLITE)};
      const input = new Uint8Array(fs.readFileSync(require('node:path').join(require('node:path').dirname(file),
        'reference', 'parrot.jpg.128.rgb')));
      runTflite(new Uint8Array(fs.readFileSync(file)), [[input]]).then((result) => {
        console.log(JSON.stringify({ picked: supportedLiteRtBuild(), ran: result.build,
          scores: Array.from(result.runs[0][0].data) }));
      });`;
    const child = spawnSync(process.execPath, [flag, '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    const answer = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as {
      picked: string;
      ran: string;
      scores: number[];
    };
    assert.equal(answer.picked, other);
    assert.equal(answer.ran, other);
    assert.deepEqual(answer.scores, referenceOutputs('mobilenet_v1_0.25_128_quant_tflite')['parrot.jpg']);
  });

  it('refuses to set its globals on the main thread', function () {
    assert.throws(() => installLiteRtShim(), /only inside a worker thread/);
    assert.equal((globalThis as Record<string, unknown>).importScripts, undefined);
  });

  it("runs a uint8 .tflite and gives the interpreter's reference outputs exactly", async function () {
    const bytes = new Uint8Array(fs.readFileSync(V1_025_128_QUANT_TFLITE));
    const reference = referenceOutputs('mobilenet_v1_0.25_128_quant_tflite');
    const photos = ['parrot.jpg', 'coffee.png', 'owl.jpg'];
    const inputs = photos.map((photo) => [
      new Uint8Array(
        fs.readFileSync(path.join(path.dirname(V1_025_128_QUANT_TFLITE), 'reference', `${photo}.128.rgb`)),
      ),
    ]);
    const result = await runTflite(bytes, inputs);
    assert.equal(result.build, supportedLiteRtBuild());
    assert.deepEqual(result.inputs, [{ name: 'input', dtype: 'uint8', shape: [1, 128, 128, 3] }]);
    photos.forEach((photo, i) => {
      const [output] = result.runs[i];
      assert.equal(output.dtype, 'uint8');
      assert.deepEqual(output.shape, [1, 1001]);
      assert.deepEqual(Array.from(output.data), reference[photo], photo);
    });
    assert.equal(result.liveAfter, 0, 'every LiteRT.js tensor and model is deleted');
  });

  it('instantiates a wasm module compiled once by the calling thread, and compiles its own if that fails', async () => {
    const bytes = new Uint8Array(fs.readFileSync(V1_025_128_QUANT_TFLITE));
    const reference = referenceOutputs('mobilenet_v1_0.25_128_quant_tflite');
    const input = [
      new Uint8Array(
        fs.readFileSync(path.join(path.dirname(V1_025_128_QUANT_TFLITE), 'reference', 'parrot.jpg.128.rgb')),
      ),
    ];
    const shared = await precompiledLiteRt();
    assert.ok(shared, 'the wasm module compiles on this thread');
    assert.equal(await precompiledLiteRt(), shared, 'compiled once: every later caller gets the same module');
    const result = await runTflite(bytes, [input], shared);
    assert.equal(result.wasmSource, 'shared');
    assert.deepEqual(Array.from(result.runs[0][0].data), reference['parrot.jpg']);
    // A module LiteRT.js's glue cannot link (it imports a function the glue does not give): the worker says
    // nothing is wrong and compiles the build's own file, with the same answers.
    const unlinkable = await wasmApi().compile(new Uint8Array(UNLINKABLE_WASM));
    const fallback = await runTflite(bytes, [input], { build: shared.build, module: unlinkable });
    assert.equal(fallback.wasmSource, 'own');
    assert.deepEqual(Array.from(fallback.runs[0][0].data), reference['parrot.jpg']);
    assert.equal(fallback.liveAfter, 0);
  });

  it('says what is wrong with a bad input instead of crashing', async function () {
    const bytes = new Uint8Array(fs.readFileSync(V1_025_128_QUANT_TFLITE));
    await assert.rejects(runTfliteOnce(bytes, new Uint8Array(10)), /has 49152 values .* 10 given/);
  });

  it('says so when the bytes are not a model', async function () {
    await assert.rejects(runTfliteOnce(new Uint8Array(64), new Uint8Array(1)), Error);
  });
});
