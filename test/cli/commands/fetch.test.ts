import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { catalogNames } from '../../../src/zoo/catalog';
import { MODELS, V1_025_LAYERS_DIR } from '../../fixtures';
import { startFixtureServer, type FixtureServer } from '../../store/fixture-server';

const CLI = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own process (asynchronously, so the test's HTTP server keeps answering). */
async function mobilenet(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, MOBILENET_CACHE: '/nonexistent-should-not-be-used' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('cli mobilenet fetch', function () {
  let server: FixtureServer;
  let cache: string;

  beforeEach(async function () {
    server = await startFixtureServer(MODELS);
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-cli-fetch-'));
  });

  afterEach(async function () {
    await server.close();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it(
    'downloads a URL into --cache, prints the folder on stdout and progress on stderr, then reuses it ' + 'offline',
    async function () {
      const url = `${server.base}/files/${path.basename(V1_025_LAYERS_DIR)}/model.json`;
      const first = await mobilenet('fetch', url, '--cache', cache, '--name', 'tiny');
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, `${path.join(cache, 'tiny')}\n`);
      assert.match(first.stderr, /^fetching http:.*model\.json into /);
      // Not a terminal: plain lines every 10% (or 10 s), for the whole model, the last one at 100%.
      const lines = first.stderr.split('\n').filter((line) => line.startsWith('downloading: '));
      assert.ok(lines.length >= 5 && lines.length <= 20, first.stderr);
      assert.match(lines.at(-1)!, /^downloading: 100% · 1\.\d\d MiB · .* · file 56\/56$/);
      assert.ok(
        fs
          .readFileSync(path.join(cache, 'tiny', 'group29-shard1of1'))
          .equals(fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'group29-shard1of1'))),
      );

      await server.close();
      const second = await mobilenet('fetch', url, '--cache', cache, '--name', 'tiny');
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, first.stdout);
      assert.match(second.stderr, /already cached/);
    },
  );

  it('exits 1 naming the URL and HTTP status when the download fails', async function () {
    const url = `${server.base}/files/missing/model.json`;
    const outcome = await mobilenet('fetch', url, '--cache', cache, '--quiet');
    assert.equal(outcome.code, 1);
    assert.equal(outcome.stdout, '');
    assert.equal(outcome.stderr, `mobilenet fetch: Download of ${url} failed: HTTP 404 Not Found\n`);
    assert.deepEqual(fs.readdirSync(cache), []);
  });

  it('exits 2 on an unknown name, listing the catalog', async function () {
    const outcome = await mobilenet('fetch', 'mobilenet_v9_1.0_224', '--cache', cache);
    assert.equal(outcome.code, 2);
    assert.match(
      outcome.stderr,
      /"mobilenet_v9_1\.0_224" is neither a catalog name nor an http\(s\) URL\. Catalog names: mobilenet_v1_1\.0_224, /,
    );
    assert.equal(server.requests.length, 0);
  });

  it('--list prints the catalog: names, download sizes, and whether each is in the cache', async function () {
    const outcome = await mobilenet('fetch', '--list', '--cache', cache);
    assert.equal(outcome.code, 0, outcome.stderr);
    const rows = outcome.stdout.trim().split('\n');
    assert.match(rows[0], /^name +download +in the cache$/);
    const names = rows.slice(1, 1 + catalogNames().length).map((row) => row.split(/\s+/)[0]);
    assert.deepEqual(names, catalogNames());
    assert.match(rows.find((row) => row.startsWith('mobilenet_v1_0.25_224 '))!, / 1\.87 MiB +not cached$/);
    assert.match(rows.find((row) => row.startsWith('mobilenet_v1_1.0_224 '))!, / ~16\.23 MiB +not cached$/);
    assert.match(rows.at(-1)!, new RegExp(`^cache: ${cache}$`));
  });
});
