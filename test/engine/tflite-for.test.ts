import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { tfliteFor, writtenTfliteFor } from '../../src/engine/tflite-for';
import { layersModelToGraph } from '../../src/model/layers-to-graph';
import { importTflite } from '../../src/model/tflite/import-tflite';
import { buildMobileNet } from '../../src/zoo/build-layers-model';
import { V1_025_LAYERS_DIR } from '../fixtures';

/** Makes a folder unwritable, even for root (chattr +i where chmod is not enough); false when it cannot. */
function makeReadOnly(dir: string): boolean {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return true;
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function makeWritable(dir: string): void {
  if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  else fs.chmodSync(dir, 0o755);
}

describe('tfliteFor: a float32 .tflite written once per model', function () {
  this.timeout(120_000);
  let root: string;
  let model: string;
  let cache: string;

  before(async function () {
    await tf.setBackend('wasm');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tflite-for-'));
    // A copy: the fixture folder itself must never be written to.
    model = path.join(root, 'v1');
    fs.cpSync(V1_025_LAYERS_DIR, model, {
      recursive: true,
      filter: (from) => !from.includes('reference') && !from.endsWith('.tflite'),
    });
    fs.chmodSync(model, 0o755);
    for (const file of fs.readdirSync(model)) fs.chmodSync(path.join(model, file), 0o644);
    cache = path.join(root, 'cache');
  });

  after(function () {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes a layers model into the cache once and reuses it; the model folder is untouched', async function () {
    const before = fs.readdirSync(model).sort();
    assert.equal(await writtenTfliteFor(model, { cacheDir: cache }), undefined, 'nothing written yet');
    const file = await tfliteFor(model, { cacheDir: cache });
    assert.equal(await writtenTfliteFor(model, { cacheDir: cache }), file, 'found without writing');
    assert.equal(path.dirname(file), path.join(cache, 'tflite'));
    assert.deepEqual(fs.readdirSync(model).sort(), before);
    assert.match(path.basename(file), /^model-[0-9a-f]{16}\.float32\.tflite$/);
    const first = fs.statSync(file).mtimeMs;
    const graph = importTflite(fs.readFileSync(file)).graph;
    assert.deepEqual(graph.input.shape, [224, 224, 3]);
    assert.equal(await tfliteFor(model, { cacheDir: cache }), file);
    assert.equal(fs.statSync(file).mtimeMs, first, 'not written again');
    assert.deepEqual(
      fs.readdirSync(model).filter((f) => f.includes('.tmp-')),
      [],
    );
  });

  it('writes into the cache, keyed the same way, when the model folder cannot be written', async function () {
    const readOnly = path.join(root, 'read-only');
    fs.cpSync(model, readOnly, { recursive: true, filter: (from) => !from.endsWith('.tflite') });
    if (!makeReadOnly(readOnly)) this.skip();
    try {
      const file = await tfliteFor(readOnly, { cacheDir: cache });
      assert.equal(path.dirname(file), path.join(cache, 'tflite'));
      assert.equal(file, await tfliteFor(model, { cacheDir: cache }), 'same weights, same key');
      assert.equal(await tfliteFor(readOnly, { cacheDir: cache }), file);
    } finally {
      makeWritable(readOnly);
    }
  });

  it('writes a built network into the cache under its key', async function () {
    const network = buildMobileNet({ arch: 'v1', alpha: 0.25, resolution: 64, classes: 5 }, { seed: 1 });
    const graph = layersModelToGraph(network);
    network.dispose();
    const file = await tfliteFor({ graph, key: 'v1 0.25 64 seed 1' }, { cacheDir: cache });
    assert.equal(path.dirname(file), path.join(cache, 'tflite'));
    assert.equal(await tfliteFor({ graph, key: 'v1 0.25 64 seed 1' }, { cacheDir: cache }), file);
    assert.notEqual(await tfliteFor({ graph, key: 'v1 0.25 64 seed 2' }, { cacheDir: cache }), file);
  });
});
