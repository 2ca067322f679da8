import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractTarMember } from '../../src/store/tar';
import { V1_025_128_QUANT_TFLITE } from '../fixtures';
import { writeTarGz } from './tar-builder';

describe('store/tar extractTarMember (archives made by the system tar)', function () {
  let dir: string;
  const model = fs.readFileSync(V1_025_128_QUANT_TFLITE);
  // > 100 bytes: needs a GNU long-name entry
  const longName = `${'a-very-long-folder-name-'.repeat(5)}/mobilenet.tflite`;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-tar-test-'));
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'nested'), { recursive: true });
    fs.mkdirSync(path.join(src, path.dirname(longName)), { recursive: true });
    fs.copyFileSync(V1_025_128_QUANT_TFLITE, path.join(src, 'model.tflite'));
    fs.copyFileSync(V1_025_128_QUANT_TFLITE, path.join(src, 'nested', 'inner.tflite'));
    fs.copyFileSync(V1_025_128_QUANT_TFLITE, path.join(src, longName));
    fs.writeFileSync(path.join(src, 'odd-size.txt'), 'x'.repeat(777));
    const members = ['./odd-size.txt', './nested/inner.tflite', `./${longName}`, './model.tflite'];
    execFileSync('tar', ['czf', path.join(dir, 'a.tgz'), ...members], { cwd: src });
    execFileSync('tar', ['cf', path.join(dir, 'a.tar'), ...members], { cwd: src });
    // The long name becomes a GNU ././@LongLink entry, a ustar prefix field, or a pax path record.
    execFileSync('tar', ['--format=gnu', '-cf', path.join(dir, 'gnu.tar'), ...members], { cwd: src });
    execFileSync('tar', ['--format=ustar', '-cf', path.join(dir, 'ustar.tar'), ...members], { cwd: src });
    execFileSync('tar', ['--format=pax', '-cf', path.join(dir, 'pax.tar'), ...members], { cwd: src });
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const archive of ['a.tgz', 'a.tar', 'gnu.tar', 'ustar.tar', 'pax.tar']) {
    it(`finds members in ${archive}: after odd-sized files, in folders, names over 100 bytes`, async function () {
      for (const member of ['model.tflite', 'nested/inner.tflite', 'inner.tflite', longName]) {
        const out = path.join(dir, `out-${archive}-${path.basename(member)}`);
        const result = await extractTarMember(path.join(dir, archive), member, out);
        assert.ok(fs.readFileSync(out).equals(model), member);
        assert.equal(result.bytes, model.length);
        assert.equal(result.sha256, createHash('sha256').update(model).digest('hex'));
      }
      const text = path.join(dir, `out-${archive}-odd.txt`);
      await extractTarMember(path.join(dir, archive), 'odd-size.txt', text);
      assert.equal(fs.readFileSync(text, 'utf8'), 'x'.repeat(777));
    });
  }

  it('says which files the archive holds when the member is missing', async function () {
    await assert.rejects(
      extractTarMember(path.join(dir, 'a.tgz'), 'missing.tflite', path.join(dir, 'x')),
      new RegExp(
        String.raw`has no file "missing\.tflite"; it holds: odd-size\.txt, nested\/inner\.tflite,` +
          String.raw` .*mobilenet\.tflite, model\.tflite`,
      ),
    );
  });

  describe('bounds (archives come from the network)', function () {
    const limits = { maxMemberBytes: 1024 * 1024, maxInflatedBytes: 8 * 1024 * 1024, maxEntries: 10 };

    it('refuses a member whose header declares more than maxMemberBytes, writing nothing', async function () {
      const archive = path.join(dir, 'big-member.tgz');
      await writeTarGz(archive, [{ name: './model.tflite', size: 2 * 1024 * 1024 }]);
      const out = path.join(dir, 'big-member.out');
      await assert.rejects(
        extractTarMember(archive, 'model.tflite', out, limits),
        /model\.tflite declares 2097152 bytes, more than the 1048576 allowed for the member/,
      );
      assert.equal(fs.existsSync(out), false);
    });

    it('refuses an archive that inflates beyond maxInflatedBytes, counting skipped entries', async function () {
      const archive = path.join(dir, 'inflating.tgz');
      await writeTarGz(archive, [
        { name: './filler.bin', size: 16 * 1024 * 1024 },
        { name: './model.tflite', data: model },
      ]);
      await assert.rejects(
        extractTarMember(archive, 'model.tflite', path.join(dir, 'inflating.out'), limits),
        /inflates to more than 8388608 bytes, the limit for an archive/,
      );
    });

    it('refuses more than maxEntries entries before the member', async function () {
      const archive = path.join(dir, 'many.tgz');
      const entries = Array.from({ length: 30 }, (_, i) => ({ name: `./f${i}.txt`, data: Buffer.from('x') }));
      await writeTarGz(archive, [...entries, { name: './model.tflite', data: model }]);
      await assert.rejects(
        extractTarMember(archive, 'model.tflite', path.join(dir, 'many.out'), limits),
        /has more than 10 entries before "model\.tflite", the limit for an archive/,
      );
    });

    it('refuses a long-name record too big to be a name, instead of buffering it', async function () {
      const archive = path.join(dir, 'long-name.tgz');
      await writeTarGz(archive, [
        { name: '././@LongLink', type: 'L', size: 100 * 1024 * 1024 },
        { name: './model.tflite', data: model },
      ]);
      await assert.rejects(
        extractTarMember(archive, 'model.tflite', path.join(dir, 'long-name.out'), limits),
        /has a long-name record of 104857600 bytes, more than the 65536 allowed/,
      );
    });

    it('never follows a link entry and never writes where an entry name points', async function () {
      const archive = path.join(dir, 'tricks.tgz');
      await writeTarGz(archive, [
        { name: 'model.tflite', type: '2', linkName: '/etc/passwd' },
        { name: '../../model.tflite', data: Buffer.from('escaped') },
        { name: './model.tflite', data: model },
      ]);
      const out = path.join(dir, 'tricks.out');
      // '../../model.tflite' matches by file name, and its bytes go to `out`, never beside the archive.
      const result = await extractTarMember(archive, 'model.tflite', out, limits);
      assert.equal(result.bytes, 'escaped'.length);
      assert.equal(fs.readFileSync(out, 'utf8'), 'escaped');
      assert.equal(fs.existsSync(path.join(dir, '..', '..', 'model.tflite')), false);
    });
  });

  it('rejects a truncated archive', async function () {
    const whole = fs.readFileSync(path.join(dir, 'a.tar'));
    const cut = path.join(dir, 'cut.tar');
    fs.writeFileSync(cut, whole.subarray(0, 2048 + 1536 + 100000));
    await assert.rejects(extractTarMember(cut, 'model.tflite', path.join(dir, 'y')), /truncated/);
  });
});
