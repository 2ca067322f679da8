import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IMAGES, V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { waitFor, waitForStatus } from '../helpers';
import { type SpiedNode, collect, distNode, helper } from '../helpers/node-red';

/** The labels the set in `dir` holds on disk: `labelset.json`'s classes, then those of `examples.jsonl`'s adds. */
function labelsOnDisk(dir: string): string[] {
  const document = JSON.parse(fs.readFileSync(path.join(dir, 'labelset.json'), 'utf8')) as { classes: object };
  const journal = path.join(dir, 'examples.jsonl');
  const lines = fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').split('\n').slice(1) : [];
  const added = lines.filter((line) => line !== '').map((line) => (JSON.parse(line) as { label: string }).label);
  return [...new Set([...Object.keys(document.classes), ...added])];
}

const modelNode = distNode('mobilenet-model');
const labelSetNode = distNode('mobilenet-label-set');
const teachNode = distNode('mobilenet-teach');
const classifyNode = distNode('mobilenet-classify');
const NODES = [modelNode, labelSetNode, teachNode, classifyNode];

// The same module instance Node-RED loaded (the compiled node's), to read the worker's tensor count.
const shared =
  require('../../nodes/mobilenet-model/shared-models') as typeof import('../../nodes/mobilenet-model/shared-models');

async function workerTensors(configId: string): Promise<number> {
  const diagnostics = shared.sharedModelDiagnostics;
  const [model] = diagnostics.modelsOf(configId);
  return (await diagnostics.workerMemory(model)!).numTensors;
}

const FRUIT = path.join(IMAGES, 'fewshot', 'fruit');

/**
 * Five photos per class to teach, and held-out photos of other shots. Mirrored twins (fruit/SOURCES.md)
 * stay on the teaching side: a taught photo's twin is never held out.
 */
const TAUGHT: Record<string, string[]> = {
  apple: [
    'IMG_20200229_164759',
    'IMG_20200229_164811',
    'IMG_20200229_164819',
    'IMG_20200229_164918',
    'IMG_20200229_164925',
  ],
  banana: [
    'IMG_20200229_164947',
    'IMG_20200229_164952',
    'IMG_20200229_164957',
    'IMG_20200229_165001',
    'IMG_20200229_165008',
  ],
  orange: [
    'IMG_20200229_165108',
    'IMG_20200229_165112',
    'IMG_20200229_165115',
    'IMG_20200229_165126',
    'IMG_20200229_165132',
  ],
};
const HELD_OUT: Record<string, string[]> = {
  apple: ['IMG_20200229_164804', 'IMG_20200229_164830', 'IMG_20200229_164901', 'IMG_20200229_164936'],
  banana: ['IMG_20200229_165016', 'IMG_20200229_165033', 'IMG_20200229_165026', 'banana6'],
  orange: ['IMG_20200229_165147', 'IMG_20200229_165157', 'IMG_20200229_165202', 'IMG_20200229_165223'],
};

function fruit(label: string, name: string): Buffer {
  return fs.readFileSync(path.join(FRUIT, label, `${name}.jpg`));
}

type Prediction = { label: string; score: number; index: number };
type Msg = Record<string, unknown>;

describe('mobilenet-teach + mobilenet-label-set + classify with a label set', function () {
  this.timeout(180000);
  let dir: string;

  function flow(modelPath = V1_025_LAYERS_DIR): object[] {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'm1', type: 'mobilenet-model', source: 'path', path: modelPath, backend: 'wasm', fit: 'fill' },
      { id: 'ls1', type: 'mobilenet-label-set', name: 'fruit', model: 'm1', dir },
      { id: 't1', z: 'tab', type: 'mobilenet-teach', labelSet: 'ls1', wires: [['taught']] },
      {
        id: 'c1',
        z: 'tab',
        type: 'mobilenet-classify',
        model: 'm1',
        labelSet: 'ls1',
        topK: 3,
        keepImage: false,
        wires: [['out']],
      },
      { id: 'taught', z: 'tab', type: 'helper' },
      { id: 'out', z: 'tab', type: 'helper' },
      { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', z: 'tab', type: 'helper' },
    ];
  }

  /** Sends one msg to a node and waits for its answer on `to` (or its error on the catch node). */
  async function ask(nodeId: string, to: string, msg: Msg): Promise<Msg> {
    const answers = collect(helper.getNode(to) as SpiedNode);
    const errors = collect(helper.getNode('caught') as SpiedNode);
    (helper.getNode(nodeId) as SpiedNode).receive(msg);
    await waitFor(() => answers.length > 0 || errors.length > 0, {
      what: `an answer from ${nodeId}`,
      timeoutMs: 60000,
    });
    if (errors.length > 0) {
      const error = errors[0].error as { message: string };
      throw Object.assign(new Error(error.message), { caught: errors[0] });
    }
    return answers[0];
  }

  async function classify(image: Buffer): Promise<Prediction[]> {
    return (await ask('c1', 'out', { payload: image })).payload as Prediction[];
  }

  /** Node-RED's full deploy; waits for the new instances rather than the helper's start event. */
  async function redeploy(modelPath?: string): Promise<void> {
    const before = helper.getNode('t1');
    await helper.setFlows(flow(modelPath), 'full').catch((err: Error) => {
      if (!/timeout waiting event/.test(err.message)) throw err;
    });
    await waitFor(
      () => {
        const node = helper.getNode('t1');
        return node && node !== before && helper.getNode('c1') && helper.getNode('caught');
      },
      { what: 'the redeployed nodes' },
    );
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-labelset-'));
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'five teach messages per class, then held-out frames give the taught labels; a redeploy keeps the set; ' +
      'deleting a class takes effect on the next frame',
    async () => {
      await helper.load(NODES, flow());
      await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
        timeoutMs: 60000,
      });

      let last: Msg = {};
      for (const [label, names] of Object.entries(TAUGHT)) {
        for (const name of names) last = await ask('t1', 'taught', { payload: fruit(label, name), label });
      }
      assert.deepEqual(last.payload, [
        { label: 'apple', count: 5 },
        { label: 'banana', count: 5 },
        { label: 'orange', count: 5 },
      ]);
      assert.match((last.teach as { added: { id: string } }).added.id, /^[0-9a-f]{16}$/);
      assert.ok(fs.existsSync(path.join(dir, 'labelset.json')), 'the set is written to its folder');

      for (const [label, names] of Object.entries(HELD_OUT)) {
        for (const name of names) {
          const predictions = await classify(fruit(label, name));
          assert.equal(predictions[0].label, label, `${label}/${name}: ${JSON.stringify(predictions)}`);
        }
      }
      const msg = await ask('c1', 'out', { payload: fruit('orange', HELD_OUT.orange[0]) });
      const details = msg.classification as { top: Prediction; labelSet: { name: string; known: boolean } };
      assert.equal(details.top.label, 'orange');
      assert.deepEqual({ name: details.labelSet.name, known: details.labelSet.known }, { name: 'fruit', known: true });

      await redeploy();
      await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
        timeoutMs: 60000,
      });
      const listed = await ask('t1', 'taught', { command: 'list' });
      assert.deepEqual(listed.payload, last.payload, 'the redeployed set holds what was taught');
      assert.equal((await classify(fruit('banana', HELD_OUT.banana[0])))[0].label, 'banana');

      const forgotten = await ask('t1', 'taught', { command: 'forget', label: 'banana' });
      assert.deepEqual(forgotten.payload, [
        { label: 'apple', count: 5 },
        { label: 'orange', count: 5 },
      ]);
      const afterForget = await classify(fruit('banana', HELD_OUT.banana[0]));
      assert.notEqual(afterForget[0].label, 'banana');
      assert.ok(
        afterForget.every((p) => p.label !== 'banana'),
        JSON.stringify(afterForget),
      );
    },
  );

  it('a non-image or an empty label ends with done(err), the set unchanged, and the node keeps teaching', async () => {
    await helper.load(NODES, flow());
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });

    await assert.rejects(
      ask('t1', 'taught', { payload: Buffer.from('not an image at all'), label: 'apple' }),
      /image/i,
    );
    await assert.rejects(ask('t1', 'taught', { payload: fruit('apple', TAUGHT.apple[0]), label: '' }), /label/);
    await assert.rejects(
      ask('t1', 'taught', { payload: fruit('apple', TAUGHT.apple[0]), label: 'unknown' }),
      /reserved/,
    );
    await assert.rejects(ask('t1', 'taught', { command: 'sing' }), /msg\.command must be one of/);
    const caught = await ask('t1', 'taught', { command: 'forget', label: 'pear' }).catch(
      (e: { caught: Msg }) => e.caught,
    );
    assert.ok(caught.error, 'forgetting a class the set does not hold is an error a Catch node gets');

    const answer = await ask('t1', 'taught', { payload: fruit('apple', TAUGHT.apple[0]), label: 'apple' });
    assert.deepEqual(answer.payload, [{ label: 'apple', count: 1 }]);
    assert.deepEqual(labelsOnDisk(dir), ['apple']);
  });

  it('export then import gives the set back; teaching and matching leave no tensor behind', async () => {
    await helper.load(NODES, flow());
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });
    await ask('t1', 'taught', { payload: fruit('apple', TAUGHT.apple[0]), label: 'apple' });
    await classify(fruit('apple', HELD_OUT.apple[0]));
    const tensors = await workerTensors('m1');
    for (const name of TAUGHT.banana.slice(0, 3)) {
      await ask('t1', 'taught', { payload: fruit('banana', name), label: 'banana' });
    }
    for (const name of HELD_OUT.banana) await classify(fruit('banana', name));
    assert.equal(await workerTensors('m1'), tensors, 'tensors in the worker after 3 teaches and 4 frames');

    const exported = (await ask('t1', 'taught', { command: 'export' })).payload as { classes: object };
    assert.deepEqual(Object.keys(exported.classes), ['apple', 'banana']);
    await ask('t1', 'taught', { command: 'forget', label: 'banana' });
    await ask('t1', 'taught', { command: 'relabel', label: 'apple', to: 'pomme' });
    const imported = await ask('t1', 'taught', { command: 'import', payload: JSON.stringify(exported) });
    assert.deepEqual(imported.payload, [
      { label: 'apple', count: 1 },
      { label: 'banana', count: 3 },
    ]);
    assert.equal((await classify(fruit('banana', HELD_OUT.banana[1])))[0].label, 'banana');
    await assert.rejects(ask('t1', 'taught', { command: 'import', payload: { not: 'a set' } }), /LabelSet|label set/i);
  });

  it('a set taught with one model is refused with another, naming its file, until reembed', async () => {
    await helper.load(NODES, flow());
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });
    for (const label of ['apple', 'banana'] as const) {
      for (const name of TAUGHT[label].slice(0, 3)) await ask('t1', 'taught', { payload: fruit(label, name), label });
    }
    await redeploy(V1_025_128_QUANT_TFLITE);
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'red', {
      timeoutMs: 60000,
    });
    await assert.rejects(classify(fruit('apple', HELD_OUT.apple[0])), /labelset\.json was taught with .*, not /);
    const redone = await ask('t1', 'taught', { command: 'reembed' });
    assert.deepEqual(redone.payload, [
      { label: 'apple', count: 3 },
      { label: 'banana', count: 3 },
    ]);
    assert.equal((await classify(fruit('banana', HELD_OUT.banana[0])))[0].label, 'banana');
    const file = JSON.parse(fs.readFileSync(path.join(dir, 'labelset.json'), 'utf8')) as {
      model: { embeddingSize: number };
    };
    assert.equal(file.model.embeddingSize, 256, 'stored as taught with the new model');
  });

  it('with nothing taught, a classify node with the set answers unknown', async () => {
    await helper.load(NODES, flow());
    const predictions = await classify(readImage('parrot.jpg'));
    assert.deepEqual(
      predictions.map((p) => p.label),
      ['unknown'],
    );
  });

  it('the editor lists classes with thumbnails and counts, and deletes an example with DELETE', async () => {
    await helper.load(NODES, flow());
    await waitForStatus(helper.getNode('t1') as SpiedNode, (s: { fill?: string }) => s.fill === 'green', {
      timeoutMs: 60000,
    });
    for (const name of TAUGHT.apple.slice(0, 2))
      await ask('t1', 'taught', { payload: fruit('apple', name), label: 'apple' });
    await classify(fruit('apple', HELD_OUT.apple[0]));

    const agent = helper.request() as unknown as SuperAgent;
    const listed = (await agent.get('/mobilenet/label-sets/ls1').expect(200)).body as EditorView;
    assert.equal(listed.classes.length, 1);
    assert.equal(listed.classes[0].count, 2);
    assert.match(listed.classes[0].examples[0].thumbnail, /^data:image\/jpeg;base64,\/9j\//);
    assert.ok(listed.lastFrameAt, 'the last classified frame is kept for drawing the region');
    const frame = await agent.get('/mobilenet/label-sets/ls1/frame').expect(200);
    assert.equal(frame.headers['content-type'], 'image/jpeg');

    // Taught as apple by mistake: moved to a new class "pear" with POST {label} (the write permission's route).
    const moved = listed.classes[0].examples[1].id;
    const relabelled = (
      await agent.post(`/mobilenet/label-sets/ls1/examples/${moved}/label`).send({ label: 'pear' }).expect(200)
    ).body as EditorView;
    assert.deepEqual(
      relabelled.classes.map((c) => [c.label, c.count, c.examples.map((e) => e.id)]),
      [
        ['apple', 1, [listed.classes[0].examples[0].id]],
        ['pear', 1, [moved]],
      ],
    );
    const refused = await agent.post(`/mobilenet/label-sets/ls1/examples/${moved}/label`).send({ label: 'state' });
    assert.equal(refused.status, 400);
    assert.match((refused.body as { error: string }).error, /<prefix>\/<source>\/state/);
    assert.equal((await agent.post(`/mobilenet/label-sets/ls1/examples/${moved}/label`).send({})).status, 400);
    await agent.post('/mobilenet/label-sets/ls1/examples/0000000000000000/label').send({ label: 'x' }).expect(404);
    // The teach node moves one example the same way: relabel with msg.example.
    const back = await ask('t1', 'taught', { command: 'relabel', example: moved, to: 'apple' });
    assert.deepEqual(back.payload, [{ label: 'apple', count: 2 }]);

    const id = listed.classes[0].examples[0].id;
    const after = (await agent.delete(`/mobilenet/label-sets/ls1/examples/${id}`).expect(200)).body as EditorView;
    assert.equal(after.classes[0].count, 1);
    await agent.get(`/mobilenet/label-sets/ls1/examples/${id}`).expect(404);
    await agent.delete('/mobilenet/label-sets/ls1/classes/apple').expect(200);
    assert.deepEqual((await ask('t1', 'taught', { command: 'list' })).payload, []);
    await agent.get('/mobilenet/label-sets/nope').expect(404);
  });
});

interface EditorView {
  classes: Array<{ label: string; count: number; examples: Array<{ id: string; thumbnail: string }> }>;
  lastFrameAt: number | null;
}

interface Answer {
  status: number;
  body: unknown;
}

interface SuperAgent {
  get(path: string): { expect(status: number): Promise<{ body: unknown; headers: Record<string, string> }> };
  post(path: string): { send(body: object): Promise<Answer> & { expect(status: number): Promise<Answer> } };
  delete(path: string): { expect(status: number): Promise<{ body: unknown }> };
}
