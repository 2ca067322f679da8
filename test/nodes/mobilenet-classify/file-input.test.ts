import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { looksLikeFilePath, readImageFile as readInFolder } from '../../../nodes/mobilenet-classify/file-input';
import { nodeMessages } from '../../helpers/node-red';

const t = nodeMessages('mobilenet-classify');
const readImageFile = (requested: string, allowedDir: string) => readInFolder(t, requested, allowedDir);
import { imagePath, readImage } from '../../fixtures';

describe('classify node file input', function () {
  let dir: string;
  let allowed: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'file-input-'));
    allowed = path.join(dir, 'allowed');
    fs.mkdirSync(path.join(allowed, 'sub'), { recursive: true });
    fs.copyFileSync(imagePath('coffee.png'), path.join(allowed, 'sub', 'coffee.png'));
    fs.copyFileSync(imagePath('parrot.jpg'), path.join(dir, 'secret.jpg'));
    fs.symlinkSync(path.join(dir, 'secret.jpg'), path.join(allowed, 'link.jpg'));
    fs.symlinkSync(path.join(allowed, 'sub', 'coffee.png'), path.join(allowed, 'inside-link.png'));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells file paths from base64 and data URLs', function () {
    const jpegBase64 = readImage('parrot.jpg').toString('base64');
    assert.ok(jpegBase64.startsWith('/9j/'), 'JPEG base64 starts like an absolute path');
    assert.equal(looksLikeFilePath(jpegBase64), false);
    assert.equal(looksLikeFilePath(`data:image/jpeg;base64,${jpegBase64}`), false);
    assert.equal(looksLikeFilePath('data:image/png;base64,AAAA.png'), false);
    assert.equal(looksLikeFilePath('/home/pi/images/porch.jpg'), true);
    assert.equal(looksLikeFilePath('porch/latest.jpeg'), true);
    assert.equal(looksLikeFilePath(' C:\\images\\a.PNG '), true);
    assert.equal(looksLikeFilePath(42), false);
  });

  it('reads files inside the folder, relative or absolute, and symlinks that stay inside', async function () {
    const bytes = readImage('coffee.png');
    assert.deepEqual(await readImageFile('sub/coffee.png', allowed), bytes);
    assert.deepEqual(await readImageFile(path.join(allowed, 'sub', 'coffee.png'), allowed), bytes);
    assert.deepEqual(await readImageFile('inside-link.png', allowed), bytes);
    assert.deepEqual(await readImageFile('sub/../sub/coffee.png', `${allowed}/`), bytes);
  });

  for (const [what, file] of [
    ['a ../ escape', '../secret.jpg'],
    ['an absolute path outside', '/etc/hostname.txt'],
    ['a symlink pointing outside', 'link.jpg'],
    ['a missing file outside', '../../nope/missing.jpg'],
    ['the folder itself', '.'],
  ] as const) {
    it(`refuses ${what}`, async function () {
      await assert.rejects(readImageFile(file, allowed), /outside the allowed folder/);
    });
  }

  it('says which file is missing inside the folder, and which folder is missing', async function () {
    await assert.rejects(
      readImageFile('sub/none.jpg', allowed),
      /Image file "sub\/none.jpg" not found in the allowed folder/,
    );
    await assert.rejects(readImageFile('a.jpg', path.join(dir, 'nope')), /allowed folder ".*nope" does not exist/);
    await assert.rejects(readImageFile('a.jpg', ' '), /no allowed folder is set/);
  });
});
