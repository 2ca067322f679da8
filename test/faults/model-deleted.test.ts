import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { lastStatusOf, said, waitFor } from '../helpers';
import { collect, distNode, helper, type SpiedNode } from '../helpers/node-red';

/** Node-RED's deploy; the helper's own "started" wait can miss the event, so wait for new nodes instead. */
async function deploy(nodes: object[]): Promise<void> {
  const before = helper.getNode('classify');
  await helper.setFlows(nodes, 'full').catch((err: Error) => {
    if (!/timeout waiting event/.test(err.message)) throw err;
  });
  await waitFor(
    () => {
      const now = helper.getNode('classify');
      return now !== null && now !== before && helper.getNode('out') !== null;
    },
    { what: 'the redeployed nodes' },
  );
}

function flow(modelPath: string, queueSize: number): object[] {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'model',
      type: 'mobilenet-model',
      source: 'path',
      path: modelPath,
      backend: 'wasm',
      queueSize,
      queuePolicy: 'wait',
      fit: 'fill',
    },
    { id: 'classify', z: 'tab', type: 'mobilenet-classify', model: 'model', topK: 1, wires: [['out']] },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

const classifyNode = (): SpiedNode => helper.getNode('classify')!;

async function classifyParrot(): Promise<string> {
  const out = collect(helper.getNode('out')!);
  classifyNode().receive({ payload: readImage('parrot.jpg') });
  await waitFor(() => out.length === 1, { what: 'a classification' });
  return (out[0]!.payload as Array<{ label: string }>)[0]!.label.split(',')[0]!;
}

/**
 * Model files deleted under a running flow (an upgrade script, a cache cleaner, a full SD card
 * being tidied). The loaded model lives in the worker's memory and keeps classifying; the next
 * load (a redeploy with new settings) fails with a message naming the missing file, said once, and
 * the flow comes back as soon as the files are back.
 */
describe('faults: model files deleted while the model is loaded', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-deleted-model-'));
    await helper.startServer();
  });

  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    {
      what: 'a layers model folder',
      install(into: string): string {
        const model = path.join(into, 'layers');
        fs.mkdirSync(model);
        for (const f of fs.readdirSync(V1_025_LAYERS_DIR))
          if (f === 'model.json' || f.startsWith('group'))
            fs.copyFileSync(path.join(V1_025_LAYERS_DIR, f), path.join(model, f));
        return model;
      },
    },
    {
      what: 'a .tflite file',
      install(into: string): string {
        const model = path.join(into, path.basename(V1_025_128_QUANT_TFLITE));
        fs.copyFileSync(V1_025_128_QUANT_TFLITE, model);
        return model;
      },
    },
  ];

  for (const c of cases) {
    it(
      `${c.what}: the loaded model keeps classifying, a reload names what is missing, and the files coming back ` +
        `heal it`,
      async () => {
        const modelPath = c.install(dir);
        await helper.load([distNode('mobilenet-model'), distNode('mobilenet-classify')], flow(modelPath, 4));
        await waitFor(() => lastStatusOf(classifyNode())?.fill === 'green', {
          what: 'the model to load',
          timeoutMs: 30000,
        });
        assert.equal(await classifyParrot(), 'macaw');

        fs.rmSync(modelPath, { recursive: true, force: true });
        for (let i = 0; i < 3; i++)
          assert.equal(await classifyParrot(), 'macaw', 'the loaded model does not need its files');

        // New settings, so a real reload from disk.
        await deploy(flow(modelPath, 5));
        await waitFor(() => lastStatusOf(classifyNode())?.fill === 'red', {
          what: `a red status (last: ${JSON.stringify(lastStatusOf(classifyNode()))})`,
          timeoutMs: 30000,
        });
        const status = lastStatusOf(classifyNode())!.text ?? '';
        // The status is short (shortened for the editor) but starts with what is wrong.
        assert.match(status, /^model not loaded: ".*(not found|…)/i, `status: ${status}`);
        const caught = collect(helper.getNode('caught')!);
        classifyNode().receive({ payload: readImage('parrot.jpg') });
        await waitFor(() => caught.length === 1, { what: 'the frame refused through Catch' });
        const message = (caught[0]!.error as { message: string }).message;
        assert.ok(message.includes(modelPath), `the error names the missing path: ${message}`);
        assert.match(message, /not found|no such|does not exist|missing|ENOENT/i);
        assert.doesNotMatch(message, /Cannot read properties|undefined is not|is not a function/);
        const warnings = said(classifyNode(), 'warn');
        assert.equal(warnings.length, 1, `the failed load is logged once: ${JSON.stringify(warnings)}`);
        assert.ok(warnings[0]!.includes(modelPath), warnings[0]);

        c.install(dir);
        await deploy(flow(modelPath, 5));
        await waitFor(() => lastStatusOf(classifyNode())?.fill === 'green', {
          what: 'the model to load again',
          timeoutMs: 30000,
        });
        assert.equal(await classifyParrot(), 'macaw');
      },
    );
  }
});
