import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR, imagePath, readImage } from '../../fixtures';
import { pngTextBomb } from '../../image/metadata-bombs';
import { type CaughtMessage, type ClassifyMessage, waitFor, waitForStatus } from '../../helpers';
import { collect, distNode, helper } from '../../helpers/node-red';

const modelNode = distNode('mobilenet-model');
const classifyNode = distNode('mobilenet-classify');
const MODEL = {
  id: 'm1',
  type: 'mobilenet-model',
  source: 'path',
  path: V1_025_LAYERS_DIR,
  backend: 'wasm',
  queueSize: 8,
  queuePolicy: 'wait',
  fit: 'fill',
};

function flow(...classifyNodes: object[]): object[] {
  return [
    { id: 'tab', type: 'tab' },
    MODEL,
    ...classifyNodes.map((extra) => ({
      z: 'tab',
      type: 'mobilenet-classify',
      model: 'm1',
      topK: 1,
      threshold: 0,
      keepImage: false,
      wires: [['out']],
      ...extra,
    })),
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/** The caught error's message without the "ImageError: " / "TypeError: " Node-RED puts before it. */
function messageOf(msg: CaughtMessage): string {
  return msg.error.message.replace(/^\w*Error: /, '');
}

/**
 * Opens and closes each fifo's write end: a reader stuck on it (the bug) gets EOF instead of holding a pool thread
 * forever.
 */
function unblockFifos(fifos: string[]): void {
  for (const fifo of fifos) {
    try {
      fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      // no reader waiting: nothing to unblock
    }
  }
}

describe('mobilenet-classify node: hostile input', function () {
  this.timeout(120000);
  let dir: string;
  let fifos: string[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classify-hostile-'));
    fifos = [0, 1, 2, 3].map((i) => path.join(dir, `pipe${i}.jpg`));
    for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
    fs.closeSync(fs.openSync(path.join(dir, 'huge.jpg'), 'w'));
    fs.truncateSync(path.join(dir, 'huge.jpg'), 1.5 * 1024 ** 3); // sparse: no disk used
    fs.mkdirSync(path.join(dir, 'folder.jpg'));
    fs.copyFileSync(imagePath('coffee.png'), path.join(dir, 'coffee.png'));
    await helper.startServer();
  });

  afterEach(async () => {
    unblockFifos(fifos);
    await helper.unload();
    await helper.stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'four named pipes, a 1.5 GB file and a directory in the allowed folder: each caught at once, and the next file ' +
      'classifies',
    async () => {
      await helper.load(
        [modelNode, classifyNode],
        flow(
          { id: 'c1', readFiles: true, fileDir: dir },
          { id: 'c2', readFiles: true, fileDir: dir, maxFileBytes: '1000' },
        ),
      );
      const [c1, c2] = [helper.getNode('c1')!, helper.getNode('c2')!];
      const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
      const caught = collect<CaughtMessage>(helper.getNode('caught')!);
      await waitForStatus(c1, (s) => s.fill === 'green');

      for (let i = 0; i < 4; i++) c1.receive({ payload: `pipe${i}.jpg` });
      c1.receive({ payload: 'huge.jpg' });
      c1.receive({ payload: 'folder.jpg' });
      await waitFor(() => caught.length === 6, { what: 'six refusals', timeoutMs: 10000 });
      const messages = caught.map((m) => `${String(m.payload)}: ${messageOf(m)}`).sort();
      assert.match(messages[0], /^folder\.jpg: "folder\.jpg" is a directory, not a regular file/);
      assert.match(
        messages[1],
        new RegExp(
          String.raw`^huge\.jpg: image file "huge\.jpg" is 1536\.0 MiB .* over the limit of 32\.0 MiB` +
            String.raw` .*\(maxFileBytes\); it was not read`,
        ),
      );
      for (let i = 0; i < 4; i++)
        assert.match(
          messages[2 + i],
          new RegExp(`^pipe${i}\\.jpg: "pipe${i}\\.jpg" is a named pipe \\(FIFO\\), not a regular file`),
        );

      c1.receive({ payload: 'coffee.png' });
      await waitFor(() => outputs.length === 1, { what: 'the next file classified' });
      assert.equal(outputs[0].payload[0].label, 'espresso');

      // The node's "Largest file" setting is the bound.
      c2.receive({ payload: 'coffee.png' });
      await waitFor(() => caught.length === 7, { what: 'the size refusal' });
      assert.match(caught[6].error.message, /over the limit of 1000 bytes \(maxFileBytes\)/);
    },
  );

  it(
    'a metadata bomb, a 0×0 JPEG and bad msg.topK/threshold/roi: a clear error each, and the next frame ' +
      'classifies',
    async () => {
      await helper.load([modelNode, classifyNode], flow({ id: 'c1' }));
      const c1 = helper.getNode('c1')!;
      const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
      const caught = collect<CaughtMessage>(helper.getNode('caught')!);
      await waitForStatus(c1, (s) => s.fill === 'green');
      const zeroSize = Buffer.from(readImage('owl.jpg'));
      for (let i = 2; ; i += 2 + zeroSize.readUInt16BE(i + 2)) {
        if (zeroSize[i + 1] >= 0xc0 && zeroSize[i + 1] <= 0xc2) {
          zeroSize.writeUInt32BE(0, i + 5);
          break;
        }
      }
      const coffee = readImage('coffee.png');
      const bad: Array<[string, object, RegExp]> = [
        [
          'PNG text bomb',
          { payload: pngTextBomb(8, 8) },
          new RegExp(
            String.raw`^PNG image refused before decoding: its metadata \(text, EXIF, XMP, ICC profile\)` +
              String.raw` inflates to more than 16\.0 MiB`,
          ),
        ],
        [
          '0×0 JPEG',
          { payload: zeroSize },
          /^JPEG header declares a width or height of 0, so there is nothing to decode/,
        ],
        [
          'topK array',
          { payload: coffee, topK: [1] },
          /^msg\.topK: topK must be a whole number ≥ 1, got an array \[1\]$/,
        ],
        [
          'topK word',
          { payload: coffee, topK: 'three' },
          /^msg\.topK: topK must be a whole number ≥ 1, got the string "three"$/,
        ],
        [
          'threshold too high',
          { payload: coffee, threshold: 2 },
          /^msg\.threshold: threshold must be a number from 0 to 1, got 2$/,
        ],
        [
          'threshold object',
          { payload: coffee, threshold: { min: 0.5 } },
          /^msg\.threshold: threshold must be a number from 0 to 1, got an object \{"min":0\.5\}$/,
        ],
        [
          'roi null',
          { payload: coffee, roi: null },
          /^msg\.roi: ROI must be an object \{x, y, width, height\} .*, got null$/,
        ],
        [
          'roi string',
          { payload: coffee, roi: '0,0,1,1' },
          /^msg\.roi: ROI must be an object .*, got the string "0,0,1,1"$/,
        ],
        [
          'roi field',
          { payload: coffee, roi: { x: '0', y: 0, width: 1, height: 1 } },
          /^msg\.roi: ROI x must be a finite number .*, got the string "0"$/,
        ],
      ];
      for (const [what, msg, pattern] of bad) {
        const before = caught.length;
        c1.receive({ ...msg, what });
        await waitFor(() => caught.length === before + 1, { what: `Catch for ${what}` });
        assert.equal(caught[before].what, what);
        assert.match(messageOf(caught[before]), pattern, what);
        const good = outputs.length;
        c1.receive({ payload: coffee });
        await waitFor(() => outputs.length === good + 1, { what: `good frame after ${what}` });
        assert.equal(outputs.at(-1)!.payload[0].label, 'espresso');
      }
    },
  );

  const badSettings: Array<[object, RegExp]> = [
    [{ readFiles: true, maxFileBytes: 'lots' }, /Largest file must be a number, got "lots"/],
    [{ readFiles: true, maxFileBytes: '0' }, /Largest file must be a whole number of bytes ≥ 1, got "0"/],
    [{ topK: 'three' }, /Top K must be a number, got "three"/],
    [{ threshold: '1.5' }, /threshold must be a number from 0 to 1, got 1\.5/],
  ];
  for (const [settings, message] of badSettings) {
    it(`a bad setting ${JSON.stringify(settings)} is refused by name at start and on each message`, async () => {
      await helper.load([modelNode, classifyNode], flow({ id: 'c1', fileDir: dir, ...settings }));
      const c1 = helper.getNode('c1')!;
      await waitForStatus(c1, (s) => s.fill === 'red');
      const caught = collect<CaughtMessage>(helper.getNode('caught')!);
      c1.receive({ payload: readImage('coffee.png') });
      await waitFor(() => caught.length === 1, { what: 'a refusal' });
      assert.match(messageOf(caught[0]), message);
    });
  }
});
