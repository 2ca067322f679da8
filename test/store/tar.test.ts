import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractTarMember } from '../../src/store/tar';
import { V1_025_128_QUANT_TFLITE } from '../fixtures';

describe('store/tar extractTarMember (archives made by the system tar)', function () {
  let dir: string;
  const model = fs.readFileSync(V1_025_128_QUANT_TFLITE);
  const longName = `${'a-very-long-folder-name-'.repeat(5)}/mobilenet.tflite`; // > 100 bytes: needs a GNU long-name entry

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
    it(`finds members in ${archive}: after odd-sized files, in folders, and with names over 100 bytes`, async function () {
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
    await assert.rejects(extractTarMember(path.join(dir, 'a.tgz'), 'missing.tflite', path.join(dir, 'x')), /has no file "missing\.tflite"; it holds: odd-size\.txt, nested\/inner\.tflite, .*mobilenet\.tflite, model\.tflite/);
  });

  it('rejects a truncated archive', async function () {
    const whole = fs.readFileSync(path.join(dir, 'a.tar'));
    const cut = path.join(dir, 'cut.tar');
    fs.writeFileSync(cut, whole.subarray(0, 2048 + 1536 + 100000));
    await assert.rejects(extractTarMember(cut, 'model.tflite', path.join(dir, 'y')), /truncated/);
  });
});
