import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MODELS, V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { startFixtureServer } from '../store/fixture-server';
import { statusesOf, waitFor, waitForStatus, workerThreads } from '../helpers';
import { collect, distNode, helper } from '../helpers/node-red';

const modelNode = distNode('mobilenet-model');
const classifyNode = distNode('mobilenet-classify');
// The same module instance the config node uses (Node's module cache), to look inside the cache.
const shared =
  require('../../nodes/mobilenet-model/shared-models') as typeof import('../../nodes/mobilenet-model/shared-models');
const diagnostics = shared.sharedModelDiagnostics;

const MODEL = {
  id: 'm-life',
  type: 'mobilenet-model',
  source: 'path',
  path: V1_025_LAYERS_DIR,
  backend: 'wasm',
  queueSize: 4,
  queuePolicy: 'drop-oldest',
  fit: 'fill',
  workers: 1,
};

function flow(topK: number, model: object = MODEL): object[] {
  return [
    { id: 'tab', type: 'tab' },
    model,
    { id: 'c1', z: 'tab', type: 'mobilenet-classify', model: 'm-life', topK, wires: [['out']] },
    { id: 'c2', z: 'tab', type: 'mobilenet-classify', model: 'm-life', topK, wires: [['out']] },
    { id: 'out', z: 'tab', type: 'helper' },
  ];
}

/** Node-RED's deploy; the helper's own "started" wait can miss the event, so wait for the nodes instead. */
async function deploy(nodes: object[]): Promise<void> {
  const before = ['c1', 'c2', 'out'].map((id) => helper.getNode(id));
  await helper.setFlows(nodes, 'full').catch((err: Error) => {
    if (!/timeout waiting event/.test(err.message)) throw err;
  });
  // New instances of every node, not the old ones still being stopped.
  await waitFor(
    () =>
      ['c1', 'c2', 'out'].every((id, i) => {
        const node = helper.getNode(id);
        return node && node !== before[i];
      }),
    { what: 'the redeployed nodes' },
  );
}

async function classifyOnce(topK: number): Promise<void> {
  const c1 = helper.getNode('c1')!;
  const outputs = collect(helper.getNode('out')!);
  await waitForStatus(c1, (s) => s.fill === 'green');
  c1.receive({ payload: readImage('parrot.jpg') });
  await waitFor(() => outputs.length === 1, { what: 'a classification' });
  const predictions = outputs[0].payload as Array<{ label: string }>;
  assert.equal(predictions[0].label, 'macaw');
  assert.equal(predictions.length, topK, 'the redeployed classify node uses its new settings');
}

async function workerTensors(configId: string): Promise<number> {
  const [model] = diagnostics.modelsOf(configId);
  return (await diagnostics.workerMemory(model)!).numTensors;
}

describe('mobilenet-model config node', function () {
  this.timeout(180000);

  beforeEach(async () => {
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('serves the catalog picker with α, ρ, computed cost and published top-1', async () => {
    await helper.load([modelNode], []);
    const { body } = await helper.request().get('/mobilenet/catalog').expect(200);
    const rows = body as Array<{
      name: string;
      alpha: number;
      rho: number;
      macs: number;
      params: number;
      top1?: number;
      quantized: boolean;
    }>;
    const v1 = rows.find((r) => r.name === 'mobilenet_v1_0.25_224')!;
    // Published: slim table 41 M MACs, Keras 475,544 parameters, slim top-1 49.8 %.
    assert.equal(v1.alpha, 0.25);
    assert.equal(v1.rho, 1);
    assert.ok(Math.abs(v1.macs / 1e6 - 41) < 0.5, `${v1.macs}`);
    assert.equal(v1.params, 475544);
    assert.equal(v1.top1, 49.8);
    const quant = rows.find((r) => r.name === 'mobilenet_v1_0.25_128_quant')!;
    assert.equal(quant.rho, 0.571);
    assert.equal(quant.top1, 39.9);
    assert.ok(quant.quantized);
    assert.ok(rows.length >= 20);
  });

  it('keeps the model across 20 redeploys, with no extra workers, Classifiers or tensors', async () => {
    // Models other tests left behind are unloaded after the grace time; count from a clean slate.
    await waitFor(() => diagnostics.counts().alive === 0, {
      what: 'models of earlier tests unloaded',
      timeoutMs: 10000,
    });
    // A disposed model's worker thread closes its port a little after the model counts as gone.
    let settled = 0;
    let last = -1;
    await waitFor(
      () => {
        const now = workerThreads();
        settled = now === last ? settled + 1 : 0;
        last = now;
        return settled >= 25;
      },
      { what: 'worker ports of earlier tests closed', timeoutMs: 10000 },
    );
    const portsBefore = workerThreads();
    const aliveBefore = diagnostics.counts().alive;
    await helper.load([modelNode, classifyNode], flow(1));
    await classifyOnce(1);
    const portsLoaded = workerThreads();
    const tensorsLoaded = await workerTensors('m-life');
    const threadId = diagnostics.workerThreadId(diagnostics.modelsOf('m-life')[0]);
    assert.equal(portsLoaded, portsBefore + 1, 'one worker for the model');
    assert.equal(diagnostics.counts().alive, aliveBefore + 1);

    for (let i = 0; i < 20; i++) {
      const topK = 1 + (i % 5);
      await deploy(flow(topK));
      await classifyOnce(topK);
    }
    assert.equal(diagnostics.loadCount('m-life'), 1, 'loaded once across 20 redeploys');
    assert.equal(diagnostics.workerThreadId(diagnostics.modelsOf('m-life')[0]), threadId);
    assert.equal(workerThreads(), portsLoaded);
    assert.equal(diagnostics.counts().alive, aliveBefore + 1);
    assert.equal(await workerTensors('m-life'), tensorsLoaded, 'no tensor left behind in the worker');

    // A changed config node is a different model: loaded anew, the old one unloaded after the grace time.
    await deploy(flow(1, { ...MODEL, queueSize: 8 }));
    await classifyOnce(1);
    assert.equal(diagnostics.loadCount('m-life'), 2);
    await waitFor(() => diagnostics.counts().alive === aliveBefore + 1 && workerThreads() === portsLoaded, {
      what: 'the old model unloaded',
      timeoutMs: 10000,
    });

    await helper.unload();
    await waitFor(() => diagnostics.counts().alive === aliveBefore && workerThreads() === portsBefore, {
      what: 'every model unloaded after the last user left',
      timeoutMs: 10000,
    });
  });

  it('downloads a URL model into the cache, showing download progress, then classifies', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'node-model-cache-'));
    const server = await startFixtureServer(MODELS);
    const previousCache = process.env.MOBILENET_CACHE;
    process.env.MOBILENET_CACHE = cache;
    try {
      const url = `${server.base}/files/mobilenet_v1_0.25_224_tfjs_layers/model.json`;
      const labels = path.join(V1_025_LAYERS_DIR, 'imagenet_labels.txt');
      await helper.load([modelNode, classifyNode], flow(1, { ...MODEL, id: 'm-life', path: url, labels }));
      const c1 = helper.getNode('c1')!;
      await classifyOnce(1);
      const texts = c1.status.args.map((a) => (a[0] as { text?: string }).text ?? '');
      const downloading = texts.filter((t) => /^downloading \d+%$/.test(t));
      assert.ok(downloading.length >= 1, texts.join(' | '));
      assert.equal(downloading.at(-1), 'downloading 100%');
      assert.ok(texts.indexOf(downloading[0]) < texts.findIndex((t) => t.startsWith('ready')), 'download before ready');
      assert.ok(
        server.requests.some((r) => r.endsWith('group55-shard1of1')),
        'the shards came from the server',
      );
    } finally {
      if (previousCache === undefined) delete process.env.MOBILENET_CACHE;
      else process.env.MOBILENET_CACHE = previousCache;
      await server.close();
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('shows a load failure on every classify node and errors frames with the reason', async () => {
    const broken = { ...MODEL, id: 'm-life', path: '/nonexistent/model-dir' };
    await helper.load(
      [modelNode, classifyNode],
      [
        ...flow(1, broken),
        { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
        { id: 'caught', z: 'tab', type: 'helper' },
      ],
    );
    const c1 = helper.getNode('c1')!;
    const caught = collect(helper.getNode('caught')!);
    const status = await waitForStatus(c1, (s) => s.fill === 'red');
    assert.match(status.text!, /not found/);
    await waitForStatus(helper.getNode('c2')!, (s) => s.fill === 'red');
    c1.receive({ payload: readImage('parrot.jpg') });
    await waitFor(() => caught.length === 1, { what: 'the error' });
    assert.match((caught[0].error as { message: string }).message, /failed to load.*\/nonexistent\/model-dir/);
    // A node that cannot classify never looks ready: after the frame (and the status throttle), still red.
    c1.receive({ payload: readImage('parrot.jpg') });
    await waitFor(() => caught.length === 2, { what: 'the second error' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = statusesOf(c1).slice(statusesOf(c1).indexOf(status));
    assert.ok(
      after.every((s) => s.fill === 'red'),
      JSON.stringify(after),
    );
    assert.doesNotMatch(JSON.stringify(after), /ready/);
  });

  it('never shows ready while the model loads or after it failed, even when frames are dropped', async () => {
    const server = await startFixtureServer(MODELS);
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'node-model-cache-'));
    const previousCache = process.env.MOBILENET_CACHE;
    process.env.MOBILENET_CACHE = cache;
    try {
      // model.json never answers: the model stays loading until the server goes away.
      server.faults.set('/files/mobilenet_v1_0.25_224_tfjs_layers/model.json', { kind: 'no-response' });
      const url = `${server.base}/files/mobilenet_v1_0.25_224_tfjs_layers/model.json`;
      const loading = { ...MODEL, path: url, queueSize: 1, queuePolicy: 'drop-newest' };
      await helper.load(
        [modelNode, classifyNode],
        [
          ...flow(1, loading),
          { id: 'catcher', z: 'tab', type: 'catch', scope: null, wires: [['caught']] },
          { id: 'caught', z: 'tab', type: 'helper' },
        ],
      );
      const c1 = helper.getNode('c1')!;
      const caught = collect(helper.getNode('caught')!);
      await waitForStatus(c1, (s) => s.fill === 'yellow' && /loading|downloading/.test(s.text ?? ''));
      // One frame waits in the queue, the next two are refused: dropped, counted, and still "loading".
      for (let i = 0; i < 3; i++) c1.receive({ payload: readImage('parrot.jpg') });
      await waitFor(() => caught.length === 2, { what: 'two dropped frames' });
      const whileLoading = await waitForStatus(c1, (s) => /dropped/.test(s.text ?? ''), { timeoutMs: 5000 });
      assert.match(whileLoading.text!, /^(loading model|downloading \d+%) · 2 dropped$/);
      assert.equal(whileLoading.fill, 'yellow');
      // The server goes away: the load fails, the waiting frame fails, and the node shows why.
      await server.close();
      const failed = await waitForStatus(c1, (s) => s.fill === 'red', { timeoutMs: 60000 });
      c1.receive({ payload: readImage('parrot.jpg') });
      await waitFor(() => caught.length === 4, { what: 'the waiting frame and the next one failing' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const shown = statusesOf(c1);
      assert.ok(
        shown.slice(shown.indexOf(failed)).every((s) => s.fill === 'red'),
        JSON.stringify(shown),
      );
      assert.ok(!shown.some((s) => /^ready/.test(s.text ?? '')), JSON.stringify(shown));
    } finally {
      if (previousCache === undefined) delete process.env.MOBILENET_CACHE;
      else process.env.MOBILENET_CACHE = previousCache;
      await server.close();
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('runs the model in as many workers as configured, and ends them all when unloaded', async () => {
    await waitFor(() => diagnostics.counts().alive === 0, {
      what: 'models of earlier tests unloaded',
      timeoutMs: 10000,
    });
    const portsBefore = workerThreads();
    await helper.load([modelNode, classifyNode], flow(1, { ...MODEL, workers: '2' }));
    await classifyOnce(1);
    // The ready one: an earlier test's failed load of the same config node can still be in the cache, unused,
    // until its dispose timer fires (it has no worker threads: taking it was why this test once saw 0).
    const model = diagnostics.modelsOf('m-life').find((m) => m.state.phase === 'ready');
    assert.ok(model, 'the model is loaded');
    assert.equal(new Set(diagnostics.workerThreadIds(model)).size, 2, 'two worker threads');
    assert.equal(workerThreads(), portsBefore + 2);
    assert.equal(model.stats()?.workers.size, 2);
    await helper.unload();
    await waitFor(() => diagnostics.counts().alive === 0 && workerThreads() === portsBefore, {
      what: 'both workers ended',
      timeoutMs: 10000,
    });
  });

  for (const workers of ['0', '17', 'two']) {
    it(`refuses ${workers} workers by name, with what is valid`, async () => {
      await helper.load([modelNode, classifyNode], flow(1, { ...MODEL, workers }));
      const c1 = helper.getNode('c1')!;
      const status = await waitForStatus(c1, (s) => s.fill === 'red');
      assert.match(status.text!, /not configured|Workers/);
      const m = helper.getNode('m-life')!;
      const errors = (m.error as { args: unknown[][] }).args.map((a) => String(a[0]));
      const expected = new RegExp(`Workers must be a whole number from 1 to 16 .*got ${workers}$`);
      assert.ok(
        errors.some((e) => expected.test(e)),
        errors.join('\n'),
      );
    });
  }

  it('refuses a bad configuration by name and lists valid values', async () => {
    await helper.load([modelNode, classifyNode], flow(1, { ...MODEL, queuePolicy: 'fastest' }));
    const c1 = helper.getNode('c1')!;
    const status = await waitForStatus(c1, (s) => s.fill === 'red');
    assert.match(status.text!, /queue policy/);
    const m = helper.getNode('m-life')!;
    const errors = (m.error as { args: unknown[][] }).args.map((a) => String(a[0]));
    assert.ok(
      errors.some((e) => /Unknown queue policy "fastest". Valid values are: drop-oldest, drop-newest, wait/.test(e)),
      errors.join('\n'),
    );
  });
});
