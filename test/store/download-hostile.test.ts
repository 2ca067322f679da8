import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import { DownloadError, fetchModel } from '../../src/store/download';
import { fetchCatalogModel } from '../../src/store/fetch-catalog-model';
import { findCatalogEntry } from '../../src/zoo/catalog';
import { MODELS, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR } from '../fixtures';
import { makeTestCertificates } from '../mqtt/helpers/test-ca';
import { startFixtureServer, type FixtureServer } from './fixture-server';
import { writeTarGz } from './tar-builder';

const MIB = 1024 * 1024;
const LAYERS = path.basename(V1_025_LAYERS_DIR);
const TFLITE_FOLDER = path.basename(path.dirname(V1_025_128_QUANT_TFLITE));
const TFLITE_PATH = `/files/${TFLITE_FOLDER}/mobilenet_v1_0.25_128_quant.tflite`;

function cacheListing(root: string): string[] {
  return fs.existsSync(root) ? fs.readdirSync(root).sort() : [];
}

/** A model.json that is valid as far as the downloader checks (no shards), padded with `padding` spaces. */
function paddedModelJson(padding: number): Buffer {
  return Buffer.concat([
    Buffer.from('{"modelTopology":{},"weightsManifest":[],"pad":"'),
    Buffer.alloc(padding, 0x20),
    Buffer.from('"}'),
  ]);
}

/** Runs `body` with environment variables set, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('store/download against hostile and broken servers', function () {
  let server: FixtureServer;
  let cache: string;
  let scratch: string;

  beforeEach(async function () {
    server = await startFixtureServer(MODELS);
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-hostile-cache-'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-hostile-scratch-'));
  });

  afterEach(async function () {
    await server.close();
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  describe('https and redirects', function () {
    let secure: FixtureServer;
    let ca: string;

    beforeEach(async function () {
      const certs = makeTestCertificates(scratch);
      ca = fs.readFileSync(certs.caCert, 'utf8');
      secure = await startFixtureServer(MODELS, {
        tls: { key: fs.readFileSync(certs.serverKey), cert: fs.readFileSync(certs.serverCert) },
      });
    });

    afterEach(async function () {
      await secure.close();
    });

    it('downloads over https from a server whose CA it was given', async function () {
      const file = await fetchModel(`${secure.base}${TFLITE_PATH}`, { cacheDir: cache, ca });
      assert.ok(fs.readFileSync(file).equals(fs.readFileSync(V1_025_128_QUANT_TFLITE)));
    });

    it(
      'refuses a redirect from https down to http, naming both URLs and the rule, and fetches nothing over ' + 'http',
      async function () {
        secure.faults.set('/moved/model.tflite', { kind: 'redirect-to', location: `${server.base}${TFLITE_PATH}` });
        const url = `${secure.base}/moved/model.tflite`;
        await assert.rejects(fetchModel(url, { cacheDir: cache, ca }), (error: unknown) => {
          assert.ok(error instanceof DownloadError);
          assert.equal(error.url, url);
          assert.ok(
            error.message.includes(`Download of ${url} refused: ${url} redirected to ${server.base}${TFLITE_PATH}`),
            error.message,
          );
          assert.match(error.message, /a redirect from https to plain http is never followed/);
          return true;
        });
        assert.deepEqual(server.requests, [], 'the http server was never asked');
        assert.deepEqual(cacheListing(cache), []);
      },
    );

    it('lets an http URL the user gave move up to https', async function () {
      server.faults.set('/upgrade/model.tflite', { kind: 'redirect-to', location: `${secure.base}${TFLITE_PATH}` });
      const file = await fetchModel(`${server.base}/upgrade/model.tflite`, { cacheDir: cache, ca });
      assert.ok(fs.readFileSync(file).equals(fs.readFileSync(V1_025_128_QUANT_TFLITE)));
      assert.deepEqual(secure.requests, [TFLITE_PATH]);
    });

    it('refuses an https server whose certificate it cannot verify', async function () {
      await assert.rejects(
        fetchModel(`${secure.base}${TFLITE_PATH}`, { cacheDir: cache }),
        /Download of https:\/\/127\.0\.0\.1:\d+\/.* failed: .*certificate/i,
      );
      assert.deepEqual(cacheListing(cache), []);
    });
  });

  it('follows at most maxRedirects redirects', async function () {
    await fetchModel(`${server.base}/redirect/3/${TFLITE_FOLDER}/mobilenet_v1_0.25_128_quant.tflite`, {
      cacheDir: cache,
      limits: { maxRedirects: 3 },
    });
    const tooMany = `${server.base}/redirect/4/${TFLITE_FOLDER}/mobilenet_v1_0.25_128_quant.tflite`;
    await assert.rejects(fetchModel(tooMany, { cacheDir: cache, limits: { maxRedirects: 3 } }), (error: unknown) => {
      assert.ok(error instanceof DownloadError);
      assert.ok(error.message.startsWith(`Download of ${tooMany} refused: more than 3 redirects`), error.message);
      return true;
    });
    const defaultCap = `${server.base}/redirect/11/${TFLITE_FOLDER}/mobilenet_v1_0.25_128_quant.tflite`;
    await assert.rejects(fetchModel(defaultCap, { cacheDir: cache }), /refused: more than 10 redirects/);
  });

  it(
    'never puts a user name or password from a URL into an error, and refuses such URLs and ' + 'redirects',
    async function () {
      const secret = 'hunter2-secret';
      await assert.rejects(
        fetchModel(`${server.base.replace('//', `//alice:${secret}@`)}${TFLITE_PATH}`, { cacheDir: cache }),
        (error: unknown) => {
          assert.ok(error instanceof DownloadError);
          assert.ok(!error.message.includes(secret) && !error.url.includes(secret), error.message);
          assert.ok(!error.message.includes('alice'), error.message);
          assert.match(
            error.message,
            new RegExp(
              String.raw`Cannot download "http:\/\/127\.0\.0\.1:\d+\/files\/.*\.tflite": URLs with a user name` +
                String.raw` or password are not supported`,
            ),
          );
          return true;
        },
      );
      server.faults.set('/leak/model.tflite', {
        kind: 'redirect-to',
        location: `${server.base.replace('//', `//alice:${secret}@`)}${TFLITE_PATH}`,
      });
      await assert.rejects(fetchModel(`${server.base}/leak/model.tflite`, { cacheDir: cache }), (error: unknown) => {
        assert.ok(error instanceof DownloadError);
        assert.ok(!error.message.includes(secret), error.message);
        assert.match(error.message, /refused: .* redirected to a URL with a user name or password/);
        return true;
      });
      assert.deepEqual(server.requests, ['/leak/model.tflite']);
    },
  );

  describe('size bounds', function () {
    it(
      'refuses an endless .tflite body at the per-file bound, caches nothing, and stops reading ' + 'early',
      async function () {
        server.faults.set(TFLITE_PATH, { kind: 'endless', cap: 64 * MIB });
        const url = `${server.base}${TFLITE_PATH}`;
        await assert.rejects(
          fetchModel(url, { cacheDir: cache, limits: { maxFileBytes: 2 * MIB } }),
          (error: unknown) => {
            assert.ok(error instanceof DownloadError);
            assert.equal(
              error.message,
              `Download of ${url} refused: the body goes on past ${2 * MIB} bytes, the most allowed (the per-file ` +
                `limit, MOBILENET_MAX_DOWNLOAD_BYTES)`,
            );
            return true;
          },
        );
        assert.deepEqual(cacheListing(cache), [], 'no entry, no temp folder');
        assert.ok(
          (server.sent.get(TFLITE_PATH) ?? 0) < 16 * MIB,
          `the server got to send ${server.sent.get(TFLITE_PATH)} bytes`,
        );
      },
    );

    it('takes the per-file bound from MOBILENET_MAX_DOWNLOAD_BYTES, and names a bad value', async function () {
      server.faults.set(TFLITE_PATH, { kind: 'endless', cap: 64 * MIB });
      await withEnv({ MOBILENET_MAX_DOWNLOAD_BYTES: String(MIB) }, async () => {
        await assert.rejects(
          fetchModel(`${server.base}${TFLITE_PATH}`, { cacheDir: cache }),
          /refused: the body goes on past 1048576 bytes/,
        );
      });
      await withEnv({ MOBILENET_MAX_DOWNLOAD_BYTES: '64M' }, async () => {
        await assert.rejects(
          fetchModel(`${server.base}${TFLITE_PATH}`, { cacheDir: cache }),
          /MOBILENET_MAX_DOWNLOAD_BYTES must be a whole number of bytes, at least 1024 \(got "64M"\)/,
        );
      });
      assert.deepEqual(cacheListing(cache), []);
    });

    it('cuts a pinned catalog file off at the first byte beyond its known size', async function () {
      const entry = findCatalogEntry('mobilenet_v1_0.25_128_quant');
      assert.ok(entry?.bytes);
      server.faults.set(TFLITE_PATH, { kind: 'endless', cap: 64 * MIB });
      await assert.rejects(
        fetchCatalogModel({ ...entry, url: `${server.base}${TFLITE_PATH}` }, { cacheDir: cache }),
        new RegExp(
          String.raw`refused: the body goes on past 525598 bytes, the most allowed \(the catalog's size for` +
            String.raw` mobilenet_v1_0\.25_128_quant\.tflite\)`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });

    it('checks Content-Length before reading the body', async function () {
      const entry = findCatalogEntry('mobilenet_v1_0.25_128_quant');
      assert.ok(entry);
      server.faults.set(TFLITE_PATH, { kind: 'announce', length: 10 * 1024 * MIB });
      await assert.rejects(
        fetchCatalogModel({ ...entry, url: `${server.base}${TFLITE_PATH}` }, { cacheDir: cache }),
        new RegExp(
          String.raw`refused: the server announces 10737418240 bytes, but the file has 525598 \(the catalog's` +
            String.raw` size for mobilenet_v1_0\.25_128_quant\.tflite\)`,
        ),
      );
      await assert.rejects(
        fetchModel(`${server.base}${TFLITE_PATH}`, { cacheDir: cache }),
        new RegExp(
          String.raw`refused: the server announces 10737418240 bytes, more than the 67108864 allowed \(the` +
            String.raw` per-file limit, MOBILENET_MAX_DOWNLOAD_BYTES\)`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });

    it('bounds every shard by what its weights manifest needs', async function () {
      const shard = `/files/${LAYERS}/group29-shard1of1`;
      server.faults.set(shard, { kind: 'endless', cap: 64 * MIB });
      await assert.rejects(
        fetchModel(`${server.base}/files/${LAYERS}/model.json`, { cacheDir: cache }),
        new RegExp(
          String.raw`group29-shard1of1 refused: the body goes on past 1028000 bytes, the most allowed \(what` +
            String.raw` weight group 29 of model\.json's weights manifest needs\)`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });

    it("bounds a model's files together (per-model limit)", async function () {
      await assert.rejects(
        fetchModel(`${server.base}/files/${LAYERS}/model.json`, {
          cacheDir: cache,
          limits: { maxModelBytes: 1_000_000 },
        }),
        new RegExp(
          String.raw`refused: the model's files add up to more than 1000000 bytes \(the per-model limit,` +
            String.raw` MOBILENET_MAX_MODEL_BYTES\)`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });
  });

  describe('Content-Encoding', function () {
    const bombPath = '/files/bomb/model.json';
    // 32 MiB of JSON that parses as a model with no shards: the unbounded downloader cached it.
    const bomb = paddedModelJson(32 * MIB);
    const bodies: Record<string, () => Buffer> = {
      gzip: () => gzipSync(bomb, { level: 1 }),
      deflate: () => deflateSync(bomb, { level: 1 }),
      br: () => brotliCompressSync(bomb, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } }),
    };

    for (const [encoding, body] of Object.entries(bodies)) {
      it(`refuses a ${encoding} bomb of a model.json at the model.json bound, caching nothing`, async function () {
        const compressed = body();
        assert.ok(compressed.length < MIB, `the bomb is ${compressed.length} bytes on the wire`);
        server.faults.set(bombPath, { kind: 'encoded', encoding, body: compressed });
        const url = `${server.base}${bombPath}`;
        await assert.rejects(fetchModel(url, { cacheDir: cache }), (error: unknown) => {
          assert.ok(error instanceof DownloadError);
          assert.equal(
            error.message,
            `Download of ${url} refused: the body goes on past ${16 * MIB} bytes, the most allowed (the limit for a ` +
              `model.json)`,
          );
          return true;
        });
        assert.deepEqual(cacheListing(cache), []);
      });
    }

    it('decodes a gzip-encoded model.json within its bound', async function () {
      const original = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'model.json'));
      server.faults.set(`/files/${LAYERS}/model.json`, { kind: 'encoded', encoding: 'gzip', body: gzipSync(original) });
      const dir = await fetchModel(`${server.base}/files/${LAYERS}/model.json`, { cacheDir: cache });
      assert.ok(fs.readFileSync(path.join(dir, 'model.json')).equals(original));
    });

    it('refuses an encoding it does not know, naming the valid ones', async function () {
      server.faults.set(bombPath, { kind: 'encoded', encoding: 'compress', body: Buffer.from('x') });
      await assert.rejects(
        fetchModel(`${server.base}${bombPath}`, { cacheDir: cache }),
        /refused: Content-Encoding "compress" is not supported \(valid: gzip, deflate, br, identity; one at a time\)/,
      );
    });
  });

  describe('.tgz archives', function () {
    let archives: FixtureServer;

    beforeEach(async function () {
      archives = await startFixtureServer(scratch);
    });

    afterEach(async function () {
      await archives.close();
    });

    it('refuses a member that inflates beyond its bound before writing it, and caches nothing', async function () {
      await writeTarGz(path.join(scratch, 'bomb.tgz'), [{ name: './bomb.tflite', size: 32 * MIB }]);
      assert.ok(fs.statSync(path.join(scratch, 'bomb.tgz')).size < MIB);
      const url = `${archives.base}/files/bomb.tgz`;
      await assert.rejects(
        fetchModel(url, { cacheDir: cache, limits: { maxFileBytes: 4 * MIB } }),
        new RegExp(
          `Cannot take bomb\\.tflite out of ${url.replace(/[.]/g, '\\.')}: .*bomb\\.tgz: bomb\\.tflite declares ` +
            `33554432 bytes, more than the 4194304 allowed for the member`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });

    it("bounds a catalog archive's .tflite by the catalog", async function () {
      const entry = findCatalogEntry('mobilenet_v1_1.0_224_quant');
      assert.ok(entry?.archiveMember && entry.maxBytes);
      await writeTarGz(path.join(scratch, 'mobilenet_v1_1.0_224_quant.tgz'), [
        { name: './mobilenet_v1_1.0_224_quant.tflite', size: 20 * MIB },
      ]);
      await assert.rejects(
        fetchCatalogModel(
          { ...entry, url: `${archives.base}/files/mobilenet_v1_1.0_224_quant.tgz` },
          { cacheDir: cache },
        ),
        /mobilenet_v1_1\.0_224_quant\.tflite declares 20971520 bytes, more than the 16777216 allowed for the member/,
      );
      assert.deepEqual(cacheListing(cache), []);
    });

    it('bounds what the whole archive inflates to, skipped entries included', async function () {
      const model = fs.readFileSync(V1_025_128_QUANT_TFLITE);
      await writeTarGz(path.join(scratch, 'padded.tgz'), [
        { name: './checkpoint.data', size: 40 * MIB },
        { name: './padded.tflite', data: model },
      ]);
      await assert.rejects(
        fetchModel(`${archives.base}/files/padded.tgz`, { cacheDir: cache, limits: { maxModelBytes: 8 * MIB } }),
        /padded\.tgz inflates to more than 8388608 bytes, the limit for an archive/,
      );
      assert.deepEqual(cacheListing(cache), []);
    });
  });

  describe('timeouts', function () {
    this.timeout(15_000);

    it('fails a trickle (one byte at a time, never idle) at the minimum rate', async function () {
      server.faults.set(TFLITE_PATH, { kind: 'trickle', intervalMs: 100 });
      const url = `${server.base}${TFLITE_PATH}`;
      const started = Date.now();
      await assert.rejects(
        fetchModel(url, {
          cacheDir: cache,
          limits: { idleTimeoutMs: 5000, minBytesPerWindow: 1024, rateWindowMs: 600 },
        }),
        (error: unknown) => {
          assert.ok(error instanceof DownloadError);
          assert.match(
            error.message,
            new RegExp(
              `^Download of ${url.replace(/[.]/g, '\\.')} is too slow: \\d bytes in the last 600 ms, at least 1024 ` +
                `needed \\(minimum rate 1024 bytes per 600 ms\\)$`,
            ),
          );
          return true;
        },
      );
      assert.ok(Date.now() - started < 5000, 'failed by the rate check, not the idle timeout');
      assert.deepEqual(cacheListing(cache), []);
    });

    it('fails a body that arrives fast enough but never ends at the total time limit', async function () {
      server.faults.set(TFLITE_PATH, { kind: 'drip-forever', intervalMs: 20, bytes: 4096 });
      await assert.rejects(
        fetchModel(`${server.base}${TFLITE_PATH}`, {
          cacheDir: cache,
          limits: { totalTimeoutMs: 1000, minBytesPerWindow: 1024, rateWindowMs: 500 },
        }),
        /timed out: the model was not downloaded within 1000 ms \(total time limit, MOBILENET_DOWNLOAD_TIMEOUT_S\)/,
      );
      assert.deepEqual(cacheListing(cache), []);
    });

    it('fails a server that never answers with headers', async function () {
      server.faults.set(TFLITE_PATH, { kind: 'no-response' });
      await assert.rejects(
        fetchModel(`${server.base}${TFLITE_PATH}`, { cacheDir: cache, limits: { responseTimeoutMs: 300 } }),
        new RegExp(
          String.raw`Download of http:\/\/127\.0\.0\.1:\d+\/files\/.*\.tflite timed out: no response from` +
            String.raw` http:\/\/127\.0\.0\.1:\d+\/files\/.*\.tflite within 300 ms`,
        ),
      );
      assert.deepEqual(cacheListing(cache), []);
    });
  });

  describe('reusing the cache', function () {
    it('downloads again rather than use a cached pinned file whose bytes changed on disk', async function () {
      const entry = findCatalogEntry('mobilenet_v1_0.25_128_quant');
      assert.ok(entry);
      const local = { ...entry, url: `${server.base}${TFLITE_PATH}` };
      const file = await fetchCatalogModel(local, { cacheDir: cache });
      const damaged = fs.readFileSync(file);
      damaged[1000] ^= 0xff;
      fs.writeFileSync(file, damaged);
      const before = server.requests.length;
      assert.equal(await fetchCatalogModel(local, { cacheDir: cache }), file);
      assert.equal(server.requests.length - before, 1, 'fetched again');
      assert.ok(fs.readFileSync(file).equals(fs.readFileSync(V1_025_128_QUANT_TFLITE)));
    });

    it('never serves a changed file from the cache when offline', async function () {
      const url = `${server.base}/files/${LAYERS}/model.json`;
      const dir = await fetchModel(url, { cacheDir: cache, name: 'm' });
      const shard = path.join(dir, 'group3-shard1of1');
      const damaged = fs.readFileSync(shard);
      damaged[0] ^= 0x01;
      fs.writeFileSync(shard, damaged);
      await server.close();
      await assert.rejects(
        fetchModel(url, { cacheDir: cache, name: 'm' }),
        /Download of http:.*model\.json failed: .*ECONNREFUSED/,
      );
    });
  });
});
