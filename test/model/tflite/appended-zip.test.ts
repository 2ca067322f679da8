import * as assert from 'node:assert/strict';
import { crc32, deflateRawSync } from 'node:zlib';
import { readAppendedZip } from '../../../src/model/tflite/appended-zip';
import { TfliteFormatError } from '../../../src/model/tflite/errors';

interface FileSpec {
  name: string;
  content: Uint8Array;
  deflate: boolean;
}

/** A minimal zip (local headers, central directory, end record), laid out as the zip spec says. */
function zip(files: FileSpec[]): Uint8Array {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const data = file.deflate ? deflateRawSync(file.content) : Buffer.from(file.content);
    const name = Buffer.from(file.name);
    const crc = typeof crc32 === 'function' ? crc32(file.content) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(file.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(file.content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(file.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(file.content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, name, data);
    directory.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directoryBytes, end]));
}

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
    const entries = readAppendedZip(withModel(zip([
      { name: 'labels.txt', content: labels, deflate: true },
      { name: 'README', content: readme, deflate: false },
    ])));
    assert.deepEqual(entries.map((e) => e.name), ['labels.txt', 'README']);
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
    assert.throws(() => entry.read(), (error: unknown) => error instanceof TfliteFormatError && error.message.includes('labels.txt'));
  });
});
