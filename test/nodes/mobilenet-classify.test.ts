import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { V1_025_LAYERS_DIR, imagePath, readImage } from '../fixtures';
import { type CaughtMessage, type ClassifyMessage, lastStatusOf, waitFor, waitForStatus } from '../helpers';
import { collect, distNode, helper } from '../helpers/node-red';
import { sharedModelDiagnostics } from '../../nodes/mobilenet-model/shared-models';

const modelNode = distNode('mobilenet-model');
const classifyNode = distNode('mobilenet-classify');

// 'fill' resizes the whole photo, as the independent pipeline behind images/SOURCES.md did.
const MODEL = {
  id: 'm1',
  type: 'mobilenet-model',
  source: 'path',
  path: V1_025_LAYERS_DIR,
  backend: 'wasm',
  queueSize: 4,
  queuePolicy: 'drop-oldest',
  fit: 'fill',
};

function classify(id: string, extra: object = {}): object {
  return {
    id,
    z: 'tab',
    type: 'mobilenet-classify',
    model: 'm1',
    topK: 3,
    threshold: 0,
    keepImage: true,
    imageProperty: 'image',
    wires: [['out']],
    ...extra,
  };
}

function baseFlow(...nodes: object[]): object[] {
  return flowWithModel(MODEL, ...nodes);
}

function flowWithModel(model: object, ...nodes: object[]): object[] {
  return [
    { id: 'tab', type: 'tab' },
    model,
    ...nodes,
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/** Frames sent with a sequence number, to tell which ones came out. */
type Numbered<T> = T & { seq: number };

describe('mobilenet-classify node', function () {
  this.timeout(120000);

  beforeEach(async () => {
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('classifies parrot.jpg as macaw, with predictions, details and the input image kept', async () => {
    await helper.load([modelNode, classifyNode], baseFlow(classify('c1')));
    const c1 = helper.getNode('c1')!;
    const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
    await waitForStatus(c1, (s) => s.fill === 'green');
    const jpeg = readImage('parrot.jpg');
    c1.receive({ payload: jpeg });
    await waitFor(() => outputs.length === 1, { what: 'a result' });
    const msg = outputs[0];
    assert.equal(msg.payload[0].label, 'macaw');
    assert.equal(msg.payload.length, 3);
    assert.ok(msg.payload[0].score > 0.5, `macaw scored ${msg.payload[0].score}`);
    const details = msg.classification;
    assert.equal(details.top?.label, 'macaw');
    assert.deepEqual(details.predictions, msg.payload);
    assert.equal(details.model, V1_025_LAYERS_DIR);
    assert.ok(details.timings.totalMs > 0);
    assert.deepEqual(details.queue, { dropped: 0, depth: 0, heldForOrder: 0 });
    assert.equal(msg.image, jpeg);
  });

  it('two classify nodes on one config node load the model once, and both classify', async () => {
    const model = { ...MODEL, id: 'm-shared' };
    await helper.load(
      [modelNode, classifyNode],
      flowWithModel(
        model,
        classify('c1', { model: 'm-shared' }),
        classify('c2', { model: 'm-shared', keepImage: false }),
      ),
    );
    const [c1, c2] = [helper.getNode('c1')!, helper.getNode('c2')!];
    const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
    await waitForStatus(c1, (s) => s.fill === 'green');
    await waitForStatus(c2, (s) => s.fill === 'green');
    assert.equal(sharedModelDiagnostics.loadCount('m-shared'), 1);
    c1.receive({ payload: readImage('parrot.jpg') });
    c2.receive({ payload: readImage('coffee.png') });
    await waitFor(() => outputs.length === 2, { what: 'two results' });
    const tops = outputs.map((m) => m.payload[0].label).sort();
    assert.deepEqual(tops, ['espresso', 'macaw']);
    const fromC2 = outputs.find((m) => m.payload[0].label === 'espresso')!;
    assert.equal('image' in fromC2, false, 'keepImage off drops the image');
    assert.equal(sharedModelDiagnostics.loadCount('m-shared'), 1);
  });

  it('accepts a raw RGB frame, a data URL and a base64 string', async () => {
    await helper.load([modelNode, classifyNode], baseFlow(classify('c1', { topK: 1 })));
    const c1 = helper.getNode('c1')!;
    const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
    await waitForStatus(c1, (s) => s.fill === 'green');
    const png = readImage('coffee.png');
    // Raw pixels decoded independently of the node (sharp straight from the file).
    const raw = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    c1.receive({ payload: raw.data, width: raw.info.width, height: raw.info.height, channels: raw.info.channels });
    c1.receive({ payload: `data:image/png;base64,${png.toString('base64')}` });
    c1.receive({ payload: png.toString('base64') });
    await waitFor(() => outputs.length === 3, { what: 'three results' });
    assert.deepEqual(
      outputs.map((m) => m.payload[0].label),
      ['espresso', 'espresso', 'espresso'],
    );
  });

  it('applies msg.topK, msg.threshold and msg.roi, and sends no-match frames to the second output', async () => {
    const flow = baseFlow(classify('c1', { noMatchOutput: true, wires: [['out'], ['nomatch']] }), {
      id: 'nomatch',
      z: 'tab',
      type: 'helper',
    });
    await helper.load([modelNode, classifyNode], flow);
    const c1 = helper.getNode('c1')!;
    const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
    const noMatch = collect<ClassifyMessage>(helper.getNode('nomatch')!);
    await waitForStatus(c1, (s) => s.fill === 'green');
    const parrot = readImage('parrot.jpg');
    c1.receive({ payload: parrot, topK: 5 });
    await waitFor(() => outputs.length === 1, { what: 'topK 5' });
    assert.equal(outputs[0].payload.length, 5);
    c1.receive({ payload: parrot, threshold: 0.999 });
    await waitFor(() => noMatch.length === 1, { what: 'no-match output' });
    assert.deepEqual(noMatch[0].payload, []);
    c1.receive({ payload: parrot, roi: { x: 0, y: 0, width: 0.5, height: 0.5 }, topK: 1 });
    await waitFor(() => outputs.length === 2, { what: 'roi result' });
    assert.equal(outputs[1].payload.length, 1);
  });

  it('sends each bad input to a Catch node with a clear message, then classifies the next good frame', async () => {
    await helper.load([modelNode, classifyNode], baseFlow(classify('c1', { topK: 1 })));
    const c1 = helper.getNode('c1')!;
    const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
    const caught = collect<CaughtMessage>(helper.getNode('caught')!);
    await waitForStatus(c1, (s) => s.fill === 'green');
    const bad: Array<[string, object, RegExp]> = [
      ['empty buffer', { payload: Buffer.alloc(0) }, /empty/i],
      ['truncated JPEG', { payload: readImage('parrot.jpg').subarray(0, 20_000) }, /truncat|corrupt|premature/i],
      ['BMP', { payload: readImage('dragonfly.bmp') }, /BMP/],
      ['wrong raw size', { payload: Buffer.alloc(100), width: 10, height: 10, channels: 3 }, /100|300|size/i],
      ['number', { payload: 42 }, /must not be a number/],
      ['object', { payload: { hello: 'world' } }, /must not be an object with keys \[hello\]/],
      ['bad topK', { payload: readImage('parrot.jpg'), topK: 0 }, /topK must be a whole number/],
    ];
    for (const [what, msg, pattern] of bad) {
      const before = caught.length;
      c1.receive({ ...msg, what });
      await waitFor(() => caught.length === before + 1, { what: `Catch for ${what}` });
      const error = caught[before].error;
      assert.equal(caught[before].what, what, 'the Catch node gets the msg that failed');
      assert.match(error.message, pattern, `${what}: ${error.message}`);
      assert.equal(error.source.id, 'c1');
      // The reason shows under the node (throttled: at most one status a second) until a frame classifies again.
      const first = before === 0;
      if (first) {
        const failed = await waitForStatus(c1, (s) => s.fill === 'red', { timeoutMs: 3000 });
        assert.ok((failed.text ?? '').length <= 100, `${what}: ${failed.text}`);
        assert.ok(error.message.includes((failed.text ?? '').replace(/…$/, '')), `${what}: ${failed.text}`);
      }
      c1.receive({ payload: readImage('parrot.jpg') });
      await waitFor(() => outputs.length === bad.indexOf(bad.find((b) => b[0] === what)!) + 1, {
        what: `good frame after ${what}`,
      });
      assert.equal(outputs.at(-1)!.payload[0].label, 'macaw');
      if (first)
        await waitForStatus(c1, (s) => s.fill === 'green' && (s.text ?? '').startsWith('ready'), { timeoutMs: 3000 });
    }
  });

  it('reads image files only from inside the allowed folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'classify-files-'));
    const allowed = path.join(dir, 'allowed');
    fs.mkdirSync(allowed);
    fs.symlinkSync(imagePath('parrot.jpg'), path.join(allowed, 'parrot.jpg'));
    fs.symlinkSync(path.dirname(imagePath('parrot.jpg')), path.join(allowed, 'escape'));
    fs.copyFileSync(imagePath('coffee.png'), path.join(dir, 'outside.png'));
    try {
      // The symlinked parrot points outside the folder too, so it must be refused like the rest.
      fs.copyFileSync(imagePath('coffee.png'), path.join(allowed, 'coffee.png'));
      await helper.load(
        [modelNode, classifyNode],
        baseFlow(classify('c1', { topK: 1, readFiles: true, fileDir: allowed }), classify('c2', { topK: 1 })),
      );
      const [c1, c2] = [helper.getNode('c1')!, helper.getNode('c2')!];
      const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
      const caught = collect<CaughtMessage>(helper.getNode('caught')!);
      await waitForStatus(c1, (s) => s.fill === 'green');
      c1.receive({ payload: 'coffee.png' });
      c1.receive({ payload: path.join(allowed, 'coffee.png') });
      await waitFor(() => outputs.length === 2, { what: 'two files read' });
      assert.deepEqual(
        outputs.map((m) => m.payload[0].label),
        ['espresso', 'espresso'],
      );
      assert.ok(Buffer.isBuffer(outputs[0].image), 'the file bytes are kept as the image');

      const refused = [
        '../outside.png',
        path.join(dir, 'outside.png'),
        'parrot.jpg',
        'escape/parrot.jpg',
        '/etc/hostname.txt',
        '../../../../etc/passwd.x',
      ];
      for (const file of refused) c1.receive({ payload: file });
      await waitFor(() => caught.length === refused.length, { what: 'every refusal caught' });
      for (const msg of caught) assert.match(msg.error.message, /outside the allowed folder/, String(msg.payload));
      c2.receive({ payload: 'coffee.png' });
      await waitFor(() => caught.length === refused.length + 1, {
        what: 'file path refused when reading files is off',
      });
      assert.match(caught.at(-1)!.error.message, /looks like a file path, but reading files is off/);
      assert.equal(outputs.length, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('queues frames that arrive while the model loads, up to the bound, and errors the rest as dropped', async () => {
    // A config node of its own, so that no model kept from an earlier test is reused.
    await helper.load(
      [modelNode, classifyNode],
      flowWithModel({ ...MODEL, id: 'm-loading' }, classify('c1', { topK: 1, model: 'm-loading' })),
    );
    const c1 = helper.getNode('c1')!;
    const outputs = collect<ClassifyMessage>(helper.getNode('out')!);
    const caught = collect<CaughtMessage>(helper.getNode('caught')!);
    assert.equal(lastStatusOf(c1)?.fill, 'yellow', 'still loading');
    const jpeg = readImage('parrot.jpg');
    for (let seq = 0; seq < 10; seq++) c1.receive({ payload: jpeg, seq });
    await waitFor(() => outputs.length + caught.length === 10, { what: 'all ten accounted for' });
    // drop-oldest keeps the four newest.
    assert.deepEqual(
      outputs.map((m) => m.seq),
      [6, 7, 8, 9],
    );
    assert.deepEqual(
      caught.map((m) => m.seq),
      [0, 1, 2, 3, 4, 5],
    );
    for (const msg of caught) assert.match(msg.error.message, /dropped/i);
    assert.equal(outputs.at(-1)!.classification.queue.dropped, 6);
  });

  it(
    'under a flood of 200 frames keeps the queue within its bound, processes no frame twice and accounts for ' +
      'every one',
    async () => {
      await helper.load(
        [modelNode, classifyNode],
        flowWithModel({ ...MODEL, id: 'm-flood' }, classify('c1', { topK: 1, model: 'm-flood' })),
      );
      const c1 = helper.getNode('c1')!;
      const outputs = collect<Numbered<ClassifyMessage>>(helper.getNode('out')!);
      const caught = collect<Numbered<CaughtMessage>>(helper.getNode('caught')!);
      await waitForStatus(c1, (s) => s.fill === 'green');
      const jpeg = readImage('parrot.jpg');
      for (let seq = 0; seq < 200; seq++) c1.receive({ payload: jpeg, seq });
      await waitFor(() => outputs.length + caught.length === 200, { what: 'all 200 accounted for', timeoutMs: 60000 });

      const done = outputs.map((m) => m.seq);
      const dropped = caught.map((m) => m.seq);
      assert.equal(new Set(done).size, done.length, 'no frame is output twice');
      assert.equal(new Set(outputs.map((m) => m._msgid)).size, outputs.length);
      assert.deepEqual(
        [...done, ...dropped].sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, i) => i),
        'every frame is either output or errored',
      );
      assert.ok(
        dropped.length >= 200 - 5 - 1,
        `a queue of 4 (+1 in progress) under an instant flood drops nearly everything, dropped ${dropped.length}`,
      );
      for (const msg of caught) {
        assert.match(msg.error.message, /Frame dropped: .*queue full \(4\), policy drop-oldest/);
        assert.ok((msg.classification?.queue.dropped ?? 0) >= 1, 'a dropped frame carries the queue count');
      }
      for (const msg of outputs) {
        const { queue } = msg.classification;
        assert.ok(queue.depth <= 4, `queue depth ${queue.depth} within its bound`);
        assert.equal(msg.payload[0].label, 'macaw');
      }
      // drop-oldest: the newest frames win.
      assert.ok(done.includes(199));
      assert.equal(outputs.at(-1)!.classification.queue.dropped, dropped.length);
      // The first result's status has no rate yet (one completion); the throttle lands the latest one after it.
      const status = await waitForStatus(c1, (s) => (s.text ?? '').includes(' fps · '), {
        what: 'a status with the rate and the drops',
        timeoutMs: 5000,
      });
      const ready = '^ready(?: \\(\\w+\\))?'; // the engine, when the node names it
      assert.match(status.text!, new RegExp(`${ready} · [\\d.]+ fps · \\d+ ms · ${dropped.length} dropped$`));
    },
  );
});
