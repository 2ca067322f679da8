import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Classifier } from '../../src/runner/classifier';
import { MODELS, readImage } from '../fixtures';
import { startFixtureServer, type FixtureServer } from '../store/fixture-server';

describe('Classifier from http(s) URLs (local server, cached for offline use)', function () {
  this.timeout(120_000);
  let server: FixtureServer;
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-url-cache-'));

  before(async function () {
    server = await startFixtureServer(MODELS);
  });

  after(async function () {
    await server?.close();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('downloads a layers model by URL, classifies, then loads it again with the server gone', async function () {
    const url = `${server.base}/files/mobilenet_v1_0.25_224_tfjs_layers/model.json`;
    const first = await Classifier.load({ model: url, cacheDir: cache });
    try {
      assert.equal((await first.classify(readImage('parrot.jpg'), { fit: 'fill' })).top?.label, 'macaw');
    } finally {
      await first.dispose();
    }
    await server.close();
    const offline = await Classifier.load({ model: url, cacheDir: cache });
    try {
      assert.equal((await offline.classify(readImage('coffee.png'), { fit: 'fill' })).top?.label, 'espresso');
    } finally {
      await offline.dispose();
    }
    server = await startFixtureServer(MODELS);
  });

  it('downloads a .tflite by URL and takes its labels from the file', async function () {
    const url = `${server.base}/files/mobilenet_v2_1.0_224_quant_tflite/mobilenet_v2_1.0_224_quant.tflite`;
    const classifier = await Classifier.load({ model: url, cacheDir: cache });
    try {
      assert.equal(classifier.info.format, 'tflite');
      assert.equal(classifier.info.classes, 1001);
      const result = await classifier.classify(readImage('parrot.jpg'), { fit: 'fill' });
      assert.equal(result.top?.label, 'macaw');
    } finally {
      await classifier.dispose();
    }
  });

  it('a 404 fails the load with the URL and status named', async function () {
    await assert.rejects(Classifier.load({ model: `${server.base}/files/nothing/model.json`, cacheDir: cache }), /404/);
  });
});
