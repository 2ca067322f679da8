import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedModelPath, DownloadError, fetchModel, type DownloadProgress } from '../../src/store/download';
import { fetchCatalogModel } from '../../src/store/fetch-catalog-model';
import { findCatalogEntry } from '../../src/zoo/catalog';
import { MODELS, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE } from '../fixtures';
import { startFixtureServer, type FixtureServer } from './fixture-server';

const LAYERS = path.basename(V1_025_LAYERS_DIR);
const MODEL_FILES = fs.readdirSync(V1_025_LAYERS_DIR).filter((f) => f === 'model.json' || f.startsWith('group'));

function sameBytes(a: string, b: string): boolean {
  return fs.readFileSync(a).equals(fs.readFileSync(b));
}

/** Everything in the cache root except complete entries' own files: there must be no leftovers. */
function cacheListing(root: string): string[] {
  return fs.existsSync(root) ? fs.readdirSync(root).sort() : [];
}

describe('store/download fetchModel', function () {
  let server: FixtureServer;
  let cache: string;
  const layersUrl = (): string => `${server.base}/files/${LAYERS}/model.json`;

  beforeEach(async function () {
    server = await startFixtureServer(MODELS);
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-cache-test-'));
  });

  afterEach(async function () {
    await server.close();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('downloads a layers model byte for byte, then serves it from the cache with the server gone', async function () {
    const dir = await fetchModel(layersUrl(), { cacheDir: cache, name: 'v1-025' });
    assert.equal(dir, path.join(cache, 'v1-025'));
    for (const file of MODEL_FILES)
      assert.ok(sameBytes(path.join(dir, file), path.join(V1_025_LAYERS_DIR, file)), file);
    assert.equal(server.requests.length, MODEL_FILES.length);
    assert.deepEqual(cacheListing(cache), ['v1-025']);

    await server.close();
    const again = await fetchModel(layersUrl(), { cacheDir: cache, name: 'v1-025' });
    assert.equal(again, dir);
    assert.equal(await cachedModelPath(layersUrl(), { cacheDir: cache, name: 'v1-025' }), dir);
  });

  it('names the cache folder after the URL when no name is given', async function () {
    const dir = await fetchModel(layersUrl(), { cacheDir: cache });
    assert.match(path.basename(dir), /^url-[0-9a-f]{16}$/);
    assert.ok(fs.existsSync(path.join(dir, 'model.json')));
  });

  it('reports progress for every file, ending with all files done', async function () {
    const events: DownloadProgress[] = [];
    await fetchModel(layersUrl(), { cacheDir: cache, onProgress: (p) => events.push({ ...p }) });
    const last = events[events.length - 1];
    assert.equal(last.filesTotal, MODEL_FILES.length);
    assert.equal(last.filesDone, MODEL_FILES.length);
    for (const file of MODEL_FILES) {
      const forFile = events.filter((e) => e.file === file);
      assert.ok(forFile.length > 0, `no progress for ${file}`);
      const size = fs.statSync(path.join(V1_025_LAYERS_DIR, file)).size;
      assert.equal(forFile[forFile.length - 1].bytes, size);
      assert.equal(forFile[0].totalBytes, size);
      for (let i = 1; i < forFile.length; i++) assert.ok(forFile[i].bytes >= forFile[i - 1].bytes);
    }
    for (let i = 1; i < events.length; i++) assert.ok(events[i].filesDone >= events[i - 1].filesDone);
  });

  it(
    'fails on a connection dropped mid-shard, leaves nothing behind, and downloads cleanly next ' + 'time',
    async function () {
      const shard = `/files/${LAYERS}/group29-shard1of1`; // the 1 MB one
      server.faults.set(shard, { kind: 'destroy-after', bytes: 300_000 });
      await assert.rejects(fetchModel(layersUrl(), { cacheDir: cache, name: 'v1' }), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.match(error.message, /group29-shard1of1/);
        assert.match(error.message, /terminated|closed|ended after|socket/i);
        return true;
      });
      assert.deepEqual(cacheListing(cache), [], 'no half-written entry or temp folder');
      assert.equal(await cachedModelPath(layersUrl(), { cacheDir: cache, name: 'v1' }), undefined);

      server.faults.clear();
      const before = server.requests.length;
      const dir = await fetchModel(layersUrl(), { cacheDir: cache, name: 'v1' });
      assert.equal(server.requests.length - before, MODEL_FILES.length, 'the retry fetched every file again');
      assert.ok(sameBytes(path.join(dir, 'group29-shard1of1'), path.join(V1_025_LAYERS_DIR, 'group29-shard1of1')));
    },
  );

  it('never uses a folder left without its completion marker (a crash mid-write)', async function () {
    const half = path.join(cache, 'v1');
    fs.mkdirSync(half, { recursive: true });
    fs.copyFileSync(path.join(V1_025_LAYERS_DIR, 'model.json'), path.join(half, 'model.json'));
    fs.writeFileSync(path.join(half, 'group1-shard1of1'), Buffer.alloc(10));
    assert.equal(await cachedModelPath(layersUrl(), { cacheDir: cache, name: 'v1' }), undefined);
    const dir = await fetchModel(layersUrl(), { cacheDir: cache, name: 'v1' });
    assert.equal(server.requests.length, MODEL_FILES.length);
    assert.ok(sameBytes(path.join(dir, 'group1-shard1of1'), path.join(V1_025_LAYERS_DIR, 'group1-shard1of1')));
    assert.deepEqual(cacheListing(cache), ['v1']);
  });

  it('rejects a shard whose sha256 does not match the catalog pin, and caches nothing', async function () {
    const entry = findCatalogEntry('mobilenet_v1_0.25_224');
    assert.ok(entry?.sha256);
    server.faults.set(`/files/${LAYERS}/group37-shard1of1`, { kind: 'flip-byte', offset: 1000 });
    const local = { ...entry, url: layersUrl() };
    await assert.rejects(
      fetchCatalogModel(local, { cacheDir: cache }),
      new RegExp(
        String.raw`Integrity check failed for group37-shard1of1 from` +
          String.raw` http:\/\/127\.0\.0\.1:\d+\/files\/.*group37-shard1of1: sha256 is [0-9a-f]{64}, expected` +
          String.raw` [0-9a-f]{64}`,
      ),
    );
    assert.deepEqual(cacheListing(cache), []);

    server.faults.clear();
    const dir = await fetchCatalogModel(local, { cacheDir: cache });
    assert.equal(dir, path.join(cache, 'mobilenet_v1_0.25_224'));
  });

  it('rejects a shard whose size does not match the weights manifest', async function () {
    server.faults.set(`/files/${LAYERS}/group33-shard1of1`, { kind: 'truncate', bytes: 65_000 });
    await assert.rejects(
      fetchModel(layersUrl(), { cacheDir: cache }),
      new RegExp(
        String.raw`Size check failed for weight group 33 \(group33-shard1of1\) of http:.*model\.json: got 65000` +
          String.raw` bytes, its manifest's weights need 65536`,
      ),
    );
    assert.deepEqual(cacheListing(cache), []);
  });

  it('names the URL and the HTTP status on a 404', async function () {
    const missing = `${server.base}/files/no-such-model/model.json`;
    await assert.rejects(fetchModel(missing, { cacheDir: cache }), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.status, 404);
      assert.equal(error.url, missing);
      assert.ok(error.message.includes(missing), error.message);
      assert.match(error.message, /HTTP 404 Not Found/);
      return true;
    });
    server.faults.set(`/files/${LAYERS}/group5-shard1of1`, { kind: 'status', code: 503 });
    await assert.rejects(
      fetchModel(layersUrl(), { cacheDir: cache }),
      /Download of http:.*group5-shard1of1 failed: HTTP 503/,
    );
    assert.deepEqual(cacheListing(cache), []);
  });

  it('names the URL and the cause when nothing listens', async function () {
    const url = `${server.base}/files/${LAYERS}/model.json`;
    await server.close();
    await assert.rejects(
      fetchModel(url, { cacheDir: cache }),
      /Download of http:\/\/127\.0\.0\.1:\d+\/files\/.*model\.json failed: connect ECONNREFUSED/,
    );
  });

  it('follows redirects for model.json and for every shard', async function () {
    const url = `${server.base}/redirect/3/${LAYERS}/model.json`;
    const dir = await fetchModel(url, { cacheDir: cache });
    for (const file of MODEL_FILES)
      assert.ok(sameBytes(path.join(dir, file), path.join(V1_025_LAYERS_DIR, file)), file);
    assert.ok(
      server.requests.includes(`/redirect/3/${LAYERS}/group55-shard1of1`),
      'shards are resolved against the URL asked for',
    );
    assert.ok(server.requests.includes(`/files/${LAYERS}/group55-shard1of1`));
  });

  it("keeps model.json's query on shard URLs, as tfjs does for TF Hub's ?tfjs-format=file", async function () {
    await fetchModel(`${layersUrl()}?tfjs-format=file`, { cacheDir: cache });
    assert.ok(server.requests.includes(`/files/${LAYERS}/group1-shard1of1?tfjs-format=file`));
  });

  it('downloads a .tflite file and returns its path, checked against the pinned sha256', async function () {
    const entry = findCatalogEntry('mobilenet_v2_1.0_224_quant');
    assert.ok(entry?.sha256);
    const folder = path.basename(path.dirname(V2_QUANT_TFLITE));
    const url = `${server.base}/redirect/1/${folder}/mobilenet_v2_1.0_224_quant.tflite`;
    const events: DownloadProgress[] = [];
    const file = await fetchCatalogModel({ ...entry, url }, { cacheDir: cache, onProgress: (p) => events.push(p) });
    assert.equal(file, path.join(cache, 'mobilenet_v2_1.0_224_quant', 'mobilenet_v2_1.0_224_quant.tflite'));
    assert.ok(sameBytes(file, V2_QUANT_TFLITE));
    assert.deepEqual(events[events.length - 1], {
      file: 'mobilenet_v2_1.0_224_quant.tflite',
      bytes: 3610798,
      totalBytes: 3610798,
      filesDone: 1,
      filesTotal: 1,
    });
    await server.close();
    assert.equal(await fetchCatalogModel({ ...entry, url }, { cacheDir: cache }), file);
  });

  it('rejects a .tflite file with a flipped byte when its sha256 is pinned', async function () {
    const folder = path.basename(path.dirname(V1_025_128_QUANT_TFLITE));
    const entry = findCatalogEntry('mobilenet_v1_0.25_128_quant');
    assert.ok(entry?.sha256);
    server.faults.set(`/files/${folder}/mobilenet_v1_0.25_128_quant.tflite`, { kind: 'flip-byte', offset: 12345 });
    const url = `${server.base}/files/${folder}/mobilenet_v1_0.25_128_quant.tflite`;
    await assert.rejects(
      fetchCatalogModel({ ...entry, url }, { cacheDir: cache }),
      /Integrity check failed for mobilenet_v1_0\.25_128_quant\.tflite/,
    );
    assert.deepEqual(cacheListing(cache), []);
  });

  it('times out when the server stops sending', async function () {
    server.faults.set(`/files/${LAYERS}/group2-shard1of1`, { kind: 'stall' });
    await assert.rejects(
      fetchModel(layersUrl(), { cacheDir: cache, timeoutMs: 300 }),
      /Download of http:.*group2-shard1of1 timed out: no data for 300 ms/,
    );
    assert.deepEqual(cacheListing(cache), []);
  });

  it('stops when its AbortSignal fires', async function () {
    server.faults.set(`/files/${LAYERS}/group2-shard1of1`, { kind: 'stall' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(
      fetchModel(layersUrl(), { cacheDir: cache, signal: controller.signal }),
      /Download of http:.*group2-shard1of1 was cancelled/,
    );
    assert.deepEqual(cacheListing(cache), []);
  });

  it('replaces a cache entry of the same name that came from another URL', async function () {
    const folder = path.basename(path.dirname(V1_025_128_QUANT_TFLITE));
    const first = await fetchModel(`${server.base}/files/${folder}/mobilenet_v1_0.25_128_quant.tflite`, {
      cacheDir: cache,
      name: 'm',
    });
    const second = await fetchModel(
      `${server.base}/files/${path.basename(path.dirname(V2_QUANT_TFLITE))}/mobilenet_v2_1.0_224_quant.tflite`,
      {
        cacheDir: cache,
        name: 'm',
      },
    );
    assert.notEqual(first, second);
    assert.ok(sameBytes(second, V2_QUANT_TFLITE));
    assert.equal(fs.existsSync(first), false);
    assert.deepEqual(cacheListing(cache), ['m']);
  });

  it('lets concurrent fetches of one model both succeed with one complete entry', async function () {
    const [a, b] = await Promise.all([
      fetchModel(layersUrl(), { cacheDir: cache, name: 'x' }),
      fetchModel(layersUrl(), { cacheDir: cache, name: 'x' }),
    ]);
    assert.equal(a, b);
    assert.deepEqual(cacheListing(cache), ['x']);
    for (const file of MODEL_FILES) assert.ok(sameBytes(path.join(a, file), path.join(V1_025_LAYERS_DIR, file)), file);
  });

  it('rejects URLs it cannot fetch and cache names that could escape the cache', async function () {
    await assert.rejects(
      fetchModel('ftp://example.com/model.json', { cacheDir: cache }),
      /protocol ftp: is not supported \(valid: http:, https:\)/,
    );
    await assert.rejects(fetchModel('not a url', { cacheDir: cache }), /"not a url": not a valid URL/);
    await assert.rejects(
      fetchModel(layersUrl(), { cacheDir: cache, name: '../evil' }),
      /Invalid cache name "\.\.\/evil"/,
    );
    assert.equal(server.requests.length, 0);
  });

  it('keeps a file whose URL name encodes slashes (..%2F) inside its cache entry', async function () {
    const served = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-escape-test-'));
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-outer-test-'));
    const escapeServer = await startFixtureServer(served);
    try {
      fs.copyFileSync(V1_025_128_QUANT_TFLITE, path.join(served, 'escaped.tflite'));
      const inner = path.join(outer, 'cache');
      // The server resolves a/b/../../escaped.tflite; the last URL segment alone decodes to ../../escaped.tflite.
      const url = `${escapeServer.base}/files/a/b/..%2F..%2Fescaped.tflite`;
      const file = await fetchModel(url, { cacheDir: inner, name: 'm' });
      assert.equal(file, path.join(inner, 'm', 'escaped.tflite'));
      assert.ok(sameBytes(file, V1_025_128_QUANT_TFLITE));
      assert.deepEqual(fs.readdirSync(outer), ['cache'], 'nothing is written beside the cache folder');
      assert.equal(await cachedModelPath(url, { cacheDir: inner, name: 'm' }), file);
    } finally {
      await escapeServer.close();
      fs.rmSync(served, { recursive: true, force: true });
      fs.rmSync(outer, { recursive: true, force: true });
    }
  });

  describe('.tgz archives (the official TFLite downloads)', function () {
    let archiveDir: string;
    let archiveServer: FixtureServer;

    beforeEach(async function () {
      archiveDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-tgz-test-'));
      // Laid out as the official archives are: ./<name>.tflite beside other files.
      fs.copyFileSync(V1_025_128_QUANT_TFLITE, path.join(archiveDir, 'mobilenet_v1_0.25_128_quant.tflite'));
      fs.writeFileSync(
        path.join(archiveDir, 'mobilenet_v1_0.25_128_quant_info.txt'),
        'Model: mobilenet_v1_0.25_128_quant\n',
      );
      execFileSync(
        'tar',
        [
          'czf',
          'mobilenet_v1_0.25_128_quant.tgz',
          './mobilenet_v1_0.25_128_quant_info.txt',
          './mobilenet_v1_0.25_128_quant.tflite',
        ],
        {
          cwd: archiveDir,
        },
      );
      archiveServer = await startFixtureServer(archiveDir);
    });

    afterEach(async function () {
      await archiveServer.close();
      fs.rmSync(archiveDir, { recursive: true, force: true });
    });

    it('takes the .tflite out of the archive and keeps only it', async function () {
      const url = `${archiveServer.base}/files/mobilenet_v1_0.25_128_quant.tgz`;
      const file = await fetchModel(url, {
        cacheDir: cache,
        name: 'mobilenet_v1_0.25_128_quant',
        sha256: findCatalogEntry('mobilenet_v1_0.25_128_quant')?.sha256,
      });
      assert.equal(file, path.join(cache, 'mobilenet_v1_0.25_128_quant', 'mobilenet_v1_0.25_128_quant.tflite'));
      assert.ok(sameBytes(file, V1_025_128_QUANT_TFLITE));
      assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), [
        '.complete.json',
        'mobilenet_v1_0.25_128_quant.tflite',
      ]);
    });

    it('names the files it found when the archive lacks the member', async function () {
      const url = `${archiveServer.base}/files/mobilenet_v1_0.25_128_quant.tgz`;
      await assert.rejects(
        fetchModel(url, { cacheDir: cache, member: 'mobilenet_v1_1.0_224_quant.tflite' }),
        new RegExp(
          String.raw`Cannot take mobilenet_v1_1\.0_224_quant\.tflite out of http:.*\.tgz: .* has no file` +
            String.raw` "mobilenet_v1_1\.0_224_quant\.tflite"; it holds: mobilenet_v1_0\.25_128_quant_info\.txt,` +
            String.raw` mobilenet_v1_0\.25_128_quant\.tflite`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });
  });
});
