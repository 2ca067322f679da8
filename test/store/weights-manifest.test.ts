import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readWeightGroups } from '../../src/store/weights-manifest';
import { V1_025_LAYERS_DIR } from '../fixtures';

function manifest(weights: object[], paths = ['group1-shard1of1']): string {
  return JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths, weights }] });
}

describe('store/weights-manifest readWeightGroups', function () {
  it("reads the fixture model's 55 groups, each matching its shard file's size", function () {
    const text = fs.readFileSync(path.join(V1_025_LAYERS_DIR, 'model.json'), 'utf8');
    const groups = readWeightGroups(text, 'model.json');
    assert.equal(groups.length, 55);
    for (const group of groups) {
      const onDisk = group.paths.reduce((sum, p) => sum + fs.statSync(path.join(V1_025_LAYERS_DIR, p)).size, 0);
      assert.equal(group.expectedBytes, onDisk, group.paths.join());
    }
    // models/SOURCES.md: 1,902,176 bytes of float32 weights in total.
    assert.equal(
      groups.reduce((sum, g) => sum + (g.expectedBytes ?? 0), 0),
      1_902_176,
    );
  });

  it('counts quantised weights at their stored width (uint8 1, uint16 and float16 2 bytes)', function () {
    const q = (dtype: string) => ({
      name: `w_${dtype}`,
      shape: [3, 5],
      dtype: 'float32',
      quantization: { dtype, scale: 0.1, min: -1 },
    });
    const [group] = readWeightGroups(
      manifest([q('uint8'), q('uint16'), q('float16'), { name: 'b', shape: [4], dtype: 'int32' }]),
      'm',
    );
    assert.equal(group.expectedBytes, 15 + 30 + 30 + 16);
  });

  it('leaves the size open when a string weight makes it unknowable', function () {
    const [group] = readWeightGroups(
      manifest([
        { name: 's', shape: [2], dtype: 'string' },
        { name: 'f', shape: [2], dtype: 'float32' },
      ]),
      'm',
    );
    assert.equal(group.expectedBytes, undefined);
  });

  it('rejects manifests that are broken or point outside the model folder, naming the source', function () {
    assert.throws(
      () => readWeightGroups('{"modelTopology": {', 'http://h/m.json'),
      /http:\/\/h\/m\.json is not a usable TF\.js model\.json: invalid JSON/,
    );
    assert.throws(() => readWeightGroups('{"modelTopology": {}}', 'm'), /no weightsManifest array/);
    assert.throws(
      () => readWeightGroups(manifest([], ['../../etc/passwd']), 'm'),
      /path "\.\.\/\.\.\/etc\/passwd" must be a relative file name/,
    );
    assert.throws(() => readWeightGroups(manifest([], ['/abs']), 'm'), /must be a relative file name/);
    assert.throws(() => readWeightGroups(manifest([], ['https://elsewhere/x']), 'm'), /must be a relative file name/);
    assert.throws(
      () => readWeightGroups(manifest([{ name: 'w', shape: [2], dtype: 'float64' }]), 'm'),
      /weight w has dtype float64; valid dtypes are float32, float16, int32, uint16, uint8, bool, complex64, string/,
    );
    assert.throws(
      () => readWeightGroups(manifest([{ name: 'w', shape: [-1], dtype: 'float32' }]), 'm'),
      /weight w has no valid shape/,
    );
  });
});
