import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MODELS } from '../fixtures';
import { startFixtureServer, type FixtureServer } from '../store/fixture-server';

const CHILD = path.join(__dirname, 'fetch-into-cache.js');
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

interface Outcome {
  ok: boolean;
  dir?: string;
  name?: string;
  message?: string;
}

/** fetchModel in a child (optionally another user, or under a file-size limit); a crash rejects. */
function fetchInChild(
  url: string,
  cacheDir: string,
  how: { asNobody?: boolean; fileSizeLimitBlocks?: number } = {},
): Promise<Outcome> {
  const [command, args] = how.fileSizeLimitBlocks
    ? [
        '/bin/sh',
        ['-c', `ulimit -f ${how.fileSizeLimitBlocks} && exec "$0" "$@"`, process.execPath, CHILD, url, cacheDir],
      ]
    : [process.execPath, [CHILD, url, cacheDir]];
  const ids = how.asNobody ? { uid: NOBODY, gid: NOBODY } : {};
  return new Promise((resolve, reject) => {
    execFile(command, args as string[], { timeout: 30000, ...ids }, (error, stdout, stderr) => {
      if (error)
        return reject(new Error(`the download process did not end cleanly (${error.message}):\n${stdout}${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Outcome);
    });
  });
}

function mountTmpfs(dir: string, size: string): boolean {
  if (!IS_ROOT) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The model cache cannot take the download: not writable, or out of room. The download fails with
 * one clear error naming the cache folder, what is wrong and what to do (never a crash or a bare
 * "EACCES: mkdtemp"), leaves nothing half-written behind, and the same download into a usable
 * cache then works.
 */
describe('faults: a model cache that is read-only or full', function () {
  this.timeout(60000);
  let server: FixtureServer;
  let base: string;
  const url = (): string => `${server.base}/files/mobilenet_v1_0.25_224_tfjs_layers/model.json`;

  beforeEach(async () => {
    server = await startFixtureServer(MODELS);
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-cache-fault-'));
    // A child running as another user must reach the folders below.
    fs.chmodSync(base, 0o755);
  });

  afterEach(async () => {
    await server.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  async function assertRecovers(): Promise<void> {
    const good = path.join(base, 'good-cache');
    const outcome = await fetchInChild(url(), good);
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.ok(fs.existsSync(path.join(outcome.dir!, 'model.json')));
  }

  function assertClear(outcome: Outcome, cache: string, cause: RegExp): void {
    assert.equal(outcome.ok, false, 'the download must fail');
    assert.equal(outcome.name, 'DownloadError', JSON.stringify(outcome));
    assert.ok(outcome.message!.includes(cache), `names the cache folder: ${outcome.message}`);
    assert.match(outcome.message!, cause);
    assert.match(outcome.message!, /MOBILENET_CACHE/, `says what to do: ${outcome.message}`);
  }

  it('read-only: refuses with the folder named, leaves nothing, and works into a writable cache', async () => {
    const cache = path.join(base, 'cache');
    fs.mkdirSync(cache);
    fs.chmodSync(cache, 0o555);
    // root writes anywhere; as another user the folder's mode applies, as it does for a service user.
    const outcome = await fetchInChild(url(), cache, { asNobody: IS_ROOT });
    assertClear(outcome, cache, /not writable|permission|read-only/i);
    assert.deepEqual(fs.readdirSync(cache), []);
    await assertRecovers();
  });

  it(
    'full (a file-size limit, RLIMIT_FSIZE): fails clearly mid-download, removes the partial files, and works once ' +
      'there is room',
    async () => {
      const cache = path.join(base, 'cache');
      // 200 blocks (100-200 KB, by the shell's unit): the model's 1 MB shard cannot be written.
      const outcome = await fetchInChild(url(), cache, { fileSizeLimitBlocks: 200 });
      assertClear(outcome, cache, /file size limit|too large|EFBIG/i);
      assert.deepEqual(fs.readdirSync(cache), [], 'no temp folder or partial entry left');
      await assertRecovers();
    },
  );

  it(
    'full (a 1 MB tmpfs, no space left on the device): fails clearly, removes the partial files, and works once ' +
      'there is room',
    async function () {
      const cache = path.join(base, 'small-disk');
      fs.mkdirSync(cache);
      // needs root and mount rights; the RLIMIT_FSIZE case covers the rest
      if (!mountTmpfs(cache, '1m')) return this.skip();
      try {
        const outcome = await fetchInChild(url(), cache);
        assertClear(outcome, cache, /no space left|ENOSPC/i);
        assert.deepEqual(fs.readdirSync(cache), [], 'no temp folder or partial entry left');
      } finally {
        execFileSync('umount', [cache]);
      }
      await assertRecovers();
    },
  );
});
