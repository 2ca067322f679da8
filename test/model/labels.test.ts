import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelLoadError } from '../../src/model/errors';
import { readLabelsFile } from '../../src/model/labels';
import { readTeachableMetadata } from '../../src/model/teachable';

describe('model/labels and Teachable Machine metadata: broken JSON is a clear load error', function () {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-labels-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a JSON labels array, and names the file when its JSON is cut short', async function () {
    const file = path.join(dir, 'labels.json');
    fs.writeFileSync(file, '["cat", "dog"]');
    assert.deepEqual(await readLabelsFile(file), ['cat', 'dog']);
    fs.writeFileSync(file, '["cat", "do');
    await assert.rejects(readLabelsFile(file), (error: unknown) => {
      assert.ok(error instanceof ModelLoadError, String(error));
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /not valid JSON/);
      return true;
    });
  });

  it('names metadata.json when a Teachable Machine export carries a broken one', async function () {
    const file = path.join(dir, 'metadata.json');
    fs.writeFileSync(file, JSON.stringify({ labels: ['Class 1', 'Class 2'], imageSize: 224 }));
    assert.deepEqual(await readTeachableMetadata(dir), { labels: ['Class 1', 'Class 2'], imageSize: 224 });
    fs.writeFileSync(file, '{"labels": ["Class 1"');
    await assert.rejects(readTeachableMetadata(dir), (error: unknown) => {
      assert.ok(error instanceof ModelLoadError, String(error));
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /not valid JSON/);
      return true;
    });
  });
});
