import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageError } from '../../src/image/errors';
import { DEFAULT_MAX_FILE_BYTES, readImageFile } from '../../src/image/read-image-file';
import { imagePath, readImage } from '../fixtures';

/** Settles within `ms` or fails the test: a hang is the bug these tests are about. */
async function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (it hangs)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function refusal(promise: Promise<unknown>, what: string): Promise<ImageError> {
  const error = await settlesWithin(
    promise.then(
      () => undefined,
      (e: unknown) => e,
    ),
    5000,
    what,
  );
  assert.ok(error instanceof ImageError, `${what}: expected an ImageError, got ${String(error)}`);
  return error;
}

describe('readImageFile: regular files only, bounded before reading', function () {
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-image-file-'));
    for (let i = 0; i < 4; i++) execFileSync('mkfifo', [path.join(dir, `pipe${i}.jpg`)]);
    fs.copyFileSync(imagePath('coffee.png'), path.join(dir, 'coffee.png'));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a regular file whole', async function () {
    assert.ok((await readImageFile(path.join(dir, 'coffee.png'))).equals(readImage('coffee.png')));
  });

  it('a named pipe with no writer: refused at once as a FIFO, not waited on', async function () {
    const error = await refusal(readImageFile(path.join(dir, 'pipe0.jpg')), 'reading a fifo');
    assert.equal(error.code, 'INVALID_INPUT');
    assert.match(
      error.message,
      new RegExp(
        String.raw`pipe0\.jpg" is a named pipe \(FIFO\), not a regular file; it was not read .* Accepted: a` +
          String.raw` regular file holding a JPEG, PNG`,
      ),
    );
  });

  it(
    'four named pipes at once stall nothing: all refused, and other file reads on the libuv pool still ' + 'finish',
    async function () {
      const pipes = [0, 1, 2, 3].map((i) => refusal(readImageFile(path.join(dir, `pipe${i}.jpg`)), `fifo ${i}`));
      const others = [1, 2, 3, 4, 5].map(() =>
        settlesWithin(fs.promises.readFile(path.join(dir, 'coffee.png')), 5000, 'a plain read'),
      );
      for (const error of await Promise.all(pipes)) assert.match(error.message, /named pipe/);
      assert.equal((await Promise.all(others)).length, 5);
    },
  );

  it('/dev/zero: refused as a character device without reading a byte', async function () {
    const rssBefore = process.memoryUsage().rss;
    const error = await refusal(readImageFile('/dev/zero'), '/dev/zero');
    assert.match(error.message, /"\/dev\/zero" is a character device, not a regular file/);
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
  });

  it('a directory and a socket are refused by kind', async function () {
    assert.match((await refusal(readImageFile(dir), 'a directory')).message, /is a directory, not a regular file/);
    const socketPath = path.join(dir, 'camera.sock');
    const server = net.createServer().listen(socketPath);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      assert.match(
        (await refusal(readImageFile(socketPath), 'a socket')).message,
        /camera\.sock" is a socket or a device with nothing behind it, not a regular file/,
      );
    } finally {
      server.close();
    }
  });

  it('a sparse 1.5 GB file: TOO_LARGE from its size, unread', async function () {
    const big = path.join(dir, 'huge.jpg');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 1.5 * 1024 ** 3); // sparse: no disk used
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const error = await refusal(readImageFile(big), 'a 1.5 GB file');
    assert.equal(error.code, 'TOO_LARGE');
    assert.match(
      error.message,
      new RegExp(
        String.raw`huge\.jpg" is 1536\.0 MiB \(1610612736 bytes\), over the limit of 32\.0 MiB \(33554432` +
          String.raw` bytes\) \(maxFileBytes\); it was not read`,
      ),
    );
    assert.ok(performance.now() - started < 2000, 'took long enough to have read it');
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'memory grew as if it was read');
    assert.equal(DEFAULT_MAX_FILE_BYTES, 32 * 1024 * 1024);
  });

  it('maxFileBytes is the bound: a file of exactly that size is read, one byte more is refused', async function () {
    const file = path.join(dir, 'coffee.png');
    const size = fs.statSync(file).size;
    assert.equal((await readImageFile(file, { maxFileBytes: size })).length, size);
    assert.match(
      (await refusal(readImageFile(file, { maxFileBytes: size - 1 }), 'over maxFileBytes')).message,
      /over the limit of \d+ bytes \(maxFileBytes\)/,
    );
    assert.match(
      (await refusal(readImageFile(file, { maxFileBytes: -1 }), 'bad maxFileBytes')).message,
      /maxFileBytes must be a positive number of bytes, got -1/,
    );
  });

  it('missing, empty and non-string paths, and a symlink under noFollow, say what is wrong', async function () {
    assert.match(
      (await refusal(readImageFile(path.join(dir, 'none.jpg')), 'missing')).message,
      /none\.jpg" does not exist/,
    );
    const empty = path.join(dir, 'empty.jpg');
    fs.writeFileSync(empty, '');
    assert.equal((await refusal(readImageFile(empty), 'empty')).code, 'EMPTY');
    assert.match(
      (await refusal(readImageFile(42 as never), 'a number')).message,
      /path must be a non-empty string, got 42/,
    );
    const link = path.join(dir, 'link.png');
    fs.symlinkSync(path.join(dir, 'coffee.png'), link);
    assert.match(
      (await refusal(readImageFile(link, { noFollow: true }), 'a link')).message,
      /link\.png" is a symbolic link, which is not followed here/,
    );
  });
});
