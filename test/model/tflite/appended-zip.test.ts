import * as assert from 'node:assert/strict';
import { readAppendedZip } from '../../../src/model/tflite/appended-zip';
import { TfliteFormatError } from '../../../src/model/tflite/errors';
import { zip } from './build-zip';

describe('readAppendedZip', () => {
  const labels = new TextEncoder().encode('background\ntench\ngoldfish\n'.repeat(20));
  const readme = new TextEncoder().encode('a model');
  // Something that stands for the flatbuffer in front of the archive.
  const model = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);

  function withModel(archive: Uint8Array): Uint8Array {
    const bytes = new Uint8Array(model.length + archive.length);
    bytes.set(model);
    bytes.set(archive, model.length);
    return bytes;
  }

  it('reads stored and deflated entries from an archive that starts after the model', () => {
    const entries = readAppendedZip(
      withModel(
        zip([
          { name: 'labels.txt', content: labels, deflate: true },
          { name: 'README', content: readme, deflate: false },
        ]),
      ),
    );
    assert.deepEqual(
      entries.map((e) => e.name),
      ['labels.txt', 'README'],
    );
    assert.deepEqual(entries[0].read(), labels);
    assert.deepEqual(entries[1].read(), readme);
  });

  it('finds nothing in a model without an archive', () => {
    assert.deepEqual(readAppendedZip(model), []);
  });

  it('reports corrupt deflate data as a format error', () => {
    const archive = zip([{ name: 'labels.txt', content: labels, deflate: true }]);
    archive.fill(0xff, 40, 60); // inside the deflate stream
    const [entry] = readAppendedZip(withModel(archive));
    assert.throws(
      () => entry.read(),
      (error: unknown) => error instanceof TfliteFormatError && error.message.includes('labels.txt'),
    );
  });
});
