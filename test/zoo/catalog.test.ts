import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolvedModelUrl } from '../../src/store/download';
import { CATALOG, catalogKey, catalogNames, findCatalogEntry, type CatalogEntry } from '../../src/zoo/catalog';
import { V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Runs `body` with the global fetch answering 404 to everything, and returns the URLs asked for. */
async function recordFetches(body: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const real = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request) => {
    seen.push(input instanceof Request ? input.url : String(input));
    return new Response('not here', { status: 404, statusText: 'Not Found' });
  }) as typeof fetch;
  try {
    await body().catch(() => undefined);
  } finally {
    globalThis.fetch = real;
  }
  return seen;
}

function pixelRange(entry: CatalogEntry): [number, number] {
  const { scale, offset } = entry.normalization;
  return [offset, 255 * scale + offset];
}

describe('zoo/catalog', function () {
  it('holds the 4 Keras layers models, the 7 TF Hub graph models and the 17 quantised TFLite files', function () {
    const count = (format: string) => CATALOG.filter((e) => e.format === format).length;
    assert.equal(count('layers'), 4);
    assert.equal(count('graph'), 7);
    assert.equal(count('tflite'), 17);
    assert.deepEqual(
      catalogNames(),
      CATALOG.map((e) => e.name),
    );
  });

  it('has unique names, also when 0.5/0.50 and 1/1.0 spellings are folded together', function () {
    assert.equal(new Set(catalogNames()).size, CATALOG.length);
    assert.equal(new Set(CATALOG.map((e) => catalogKey(e.name))).size, CATALOG.length);
  });

  for (const entry of CATALOG) {
    it(`${entry.name} is well-formed`, function () {
      const match = /^(?:tfhub_)?mobilenet_(v[12])_(\d(?:\.\d+)?|\d{3})_(\d+)(_quant)?$/.exec(entry.name);
      assert.ok(match, `name ${entry.name}`);
      assert.equal(match[1], entry.arch);
      const alpha = match[2].includes('.') || match[2].length === 1 ? Number(match[2]) : Number(match[2]) / 100;
      assert.equal(alpha, entry.alpha);
      assert.equal(Number(match[3]), entry.resolution);
      assert.equal(Boolean(match[4]), entry.quantized);
      assert.ok([0.25, 0.5, 0.75, 1].includes(entry.alpha));
      assert.ok([128, 160, 192, 224].includes(entry.resolution));

      const url = new URL(entry.url);
      assert.equal(url.protocol, 'https:');
      assert.ok(entry.source.length > 20, 'source names where the URL is documented');
      for (const [file, hash] of Object.entries(entry.sha256 ?? {})) assert.match(hash, /^[0-9a-f]{64}$/, file);

      if (entry.format === 'layers') {
        assert.equal(url.pathname, `/tfjs-models/tfjs/${entry.name}/model.json`);
        assert.deepEqual(pixelRange(entry), [-1, 1]);
        assert.equal(entry.classes, 1000);
        assert.equal(entry.output, 'softmax');
        assert.equal(entry.inputDtype, 'float32');
      } else if (entry.format === 'graph') {
        assert.equal(url.hostname, 'tfhub.dev');
        assert.ok(url.pathname.endsWith('/model.json') && url.search === '?tfjs-format=file');
        assert.deepEqual(pixelRange(entry), [0, 1]);
        assert.equal(entry.classes, 1001);
        assert.equal(entry.output, 'logits');
      } else {
        assert.equal(entry.inputDtype, 'uint8');
        assert.equal(entry.classes, 1001);
        assert.equal(entry.quantized, true);
        // real = (q - 128) / 128 for q in 0..255
        assert.deepEqual(pixelRange(entry), [-1, 127 / 128]);
        if (url.pathname.endsWith('.tgz')) {
          assert.equal(entry.archiveMember, `${entry.name}.tflite`);
          assert.equal(path.basename(url.pathname), `${entry.name}.tgz`);
        } else {
          assert.equal(path.basename(url.pathname), `${entry.name}.tflite`);
          assert.equal(entry.archiveMember, undefined);
        }
      }
    });
  }

  it('covers all sixteen V1 α×ρ quantised TFLite models and V2 1.0 224', function () {
    for (const a of ['1.0', '0.75', '0.5', '0.25']) {
      for (const r of [224, 192, 160, 128]) assert.ok(findCatalogEntry(`mobilenet_v1_${a}_${r}_quant`), `${a} ${r}`);
    }
    assert.ok(findCatalogEntry('mobilenet_v2_1.0_224_quant'));
  });

  it("pins the sha256 of every file of the 0.25 layers model, matching the fixture's bytes", function () {
    const entry = findCatalogEntry('mobilenet_v1_0.25_224');
    assert.ok(entry?.sha256);
    const files = fs.readdirSync(V1_025_LAYERS_DIR).filter((f) => f === 'model.json' || f.startsWith('group'));
    assert.equal(files.length, 56);
    assert.deepEqual(Object.keys(entry.sha256).sort(), files.sort());
    for (const file of files) assert.equal(entry.sha256[file], sha256(path.join(V1_025_LAYERS_DIR, file)), file);
    for (const file of files)
      assert.equal(entry.bytes?.[file], fs.statSync(path.join(V1_025_LAYERS_DIR, file)).size, file);
  });

  it('pins the plain .tflite files that the fixtures are byte copies of', function () {
    for (const fixture of [V1_025_128_QUANT_TFLITE, V2_QUANT_TFLITE]) {
      const file = path.basename(fixture);
      const entry = findCatalogEntry(file.replace(/\.tflite$/, ''));
      assert.ok(entry, file);
      assert.equal(
        entry.url,
        `https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41/${file}`,
      );
      assert.deepEqual(entry.sha256, { [file]: sha256(fixture) });
      assert.deepEqual(entry.bytes, { [file]: fs.statSync(fixture).size });
    }
  });

  it("lists exactly the TF Hub URLs that @tensorflow-models/mobilenet's load() requests", async function () {
    const mobilenet = require('@tensorflow-models/mobilenet') as {
      load(config: { version: 1 | 2; alpha: number }): Promise<unknown>;
    };
    const configs: Array<{ version: 1 | 2; alpha: number }> = [
      { version: 1, alpha: 0.25 },
      { version: 1, alpha: 0.5 },
      { version: 1, alpha: 0.75 },
      { version: 1, alpha: 1.0 },
      { version: 2, alpha: 0.5 },
      { version: 2, alpha: 0.75 },
      { version: 2, alpha: 1.0 },
    ];
    const requested: string[] = [];
    for (const config of configs) requested.push(...(await recordFetches(() => mobilenet.load(config))));
    assert.deepEqual(
      requested,
      CATALOG.filter((e) => e.format === 'graph').map((e) => e.url),
    );
  });

  it('fetchModel turns a bare TF Hub handle into the same model.json URL', function () {
    assert.equal(
      resolvedModelUrl('https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2'),
      findCatalogEntry('tfhub_mobilenet_v2_100_224')?.url,
    );
  });

  it('finds entries by name, forgiving 0.5/0.50 and case, and returns undefined for unknown names', function () {
    assert.equal(findCatalogEntry('mobilenet_v1_0.50_224')?.format, 'layers');
    assert.equal(findCatalogEntry('mobilenet_v1_0.5_224')?.name, 'mobilenet_v1_0.50_224');
    assert.equal(findCatalogEntry('MobileNet_V1_1_224')?.name, 'mobilenet_v1_1.0_224');
    assert.equal(findCatalogEntry('mobilenet_v1_0.50_160_quant')?.name, 'mobilenet_v1_0.5_160_quant');
    assert.equal(findCatalogEntry('mobilenet_v3_1.0_224'), undefined);
  });
});
