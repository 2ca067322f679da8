/**
 * The Node-RED surface, in a child process of its own: the package's nodes running inside
 * Node-RED (node-red-node-test-helper), a classify node reading msgs, a Catch node collecting
 * their errors. Broken models and broker settings are deployed beside the good flow.
 */
import { collect, distNode, helper, type SpiedNode } from '../../test/helpers/node-red';
import { serve, type ChildSurface } from './child-serve';
import { materializeMessage } from './materialize';
import type { GoodFrame, InitMessage } from './protocol';
import type { CaseOutcome, FuzzCase } from './types';
import { sleep } from './within';

type Outcome = Omit<CaseOutcome, 'ms' | 'goodLabel' | 'goodError'>;
type Msg = Record<string, unknown>;

const NODES = ['mobilenet-model', 'mobilenet-classify', 'mobilenet-mqtt-broker', 'mobilenet-mqtt-labels'].map(distNode);

let baseFlow: object[] = [];
let outputs: Msg[] = [];
let caught: Msg[] = [];
let sequence = 0;

function flow(init: InitMessage): object[] {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'm1',
      type: 'mobilenet-model',
      source: 'path',
      path: init.model,
      backend: 'auto',
      queueSize: 4,
      queuePolicy: 'wait',
      fit: 'cover',
    },
    {
      id: 'c1',
      z: 'tab',
      type: 'mobilenet-classify',
      model: 'm1',
      topK: 3,
      threshold: 0,
      keepImage: false,
      readFiles: true,
      fileDir: init.fileDir,
      wires: [['out']],
    },
    { id: 'out', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

function node(id: string): SpiedNode {
  const found = helper.getNode(id);
  if (!found) throw new Error(`node ${id} is not deployed`);
  return found;
}

async function waitUntil<T>(probe: () => T | undefined, boundMs: number): Promise<T | undefined> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(10);
  }
}

/** Methods the test helper spies on the Node prototype whose calls carry whole msgs (payload included). */
const MSG_CARRYING_SPIES = ['send', 'error', 'warn', 'log', 'debug', 'trace'] as const;

/**
 * Drops what the test helper and the collectors hold of earlier cases. The helper's sinon spies
 * record every send() and error() of every node with its msg, and the collectors keep every msg:
 * left alone they hold every hostile input of the run (measured: 515 MB peak against 177 MB steady
 * over 237 cases, 283 MB once forgotten), memory a real Node-RED never holds, which would hide
 * the product's own peak. Node status calls are kept: statusOf() reads them.
 */
function forgetEarlierCases(): void {
  outputs.length = 0;
  caught.length = 0;
  const spied = node('c1');
  for (const method of MSG_CARRYING_SPIES) (spied[method] as unknown as { resetHistory(): void }).resetHistory();
  (helper.log() as unknown as { resetHistory(): void }).resetHistory();
}

/** Sends a msg into a classify node and waits for it on the output or at the Catch node. */
async function through(nodeId: string, msg: Msg, boundMs: number): Promise<Outcome> {
  forgetEarlierCases();
  const id = `fuzz-${sequence++}`;
  msg.fuzzId = id;
  node(nodeId).receive(msg);
  const seen = await waitUntil(
    () => outputs.find((m) => m.fuzzId === id) ?? caught.find((m) => m.fuzzId === id),
    boundMs,
  );
  if (!seen) return { result: 'hang', message: `no output and no error at the Catch node within ${boundMs} ms` };
  if ('error' in seen && seen.error)
    return { result: 'error', message: String((seen.error as { message?: unknown }).message) };
  const predictions = seen.payload as Array<{ label: string }> | undefined;
  return { result: 'ok', label: predictions?.[0]?.label };
}

/** Deploys the good flow plus `extra` ("nodes" deploy: the good model keeps running). */
async function deploy(extra: object[], credentials: object = {}): Promise<void> {
  // The helper waits only 300 ms for "flows:started"; a slow machine overruns that harmlessly.
  await helper.setFlows([...baseFlow, ...extra], 'nodes', credentials).catch((error: Error) => {
    if (!/timeout waiting event/.test(error.message)) throw error;
  });
}

/** The node's own last status: the helper's spy is on the prototype, so it records every node's calls. */
function statusOf(id: string): { fill?: string; text?: string } | undefined {
  const found = helper.getNode(id);
  if (!found) return undefined;
  const spy = found.status as unknown as { args: unknown[][]; thisValues: unknown[] };
  for (let i = spy.args.length - 1; i >= 0; i--)
    if (spy.thisValues[i] === found) return spy.args[i][0] as { fill?: string; text?: string };
  return undefined;
}

async function brokenModel(path: string, good: GoodFrame, boundMs: number): Promise<Outcome> {
  await deploy([
    {
      id: 'mb',
      type: 'mobilenet-model',
      source: 'path',
      path,
      backend: 'auto',
      queueSize: 4,
      queuePolicy: 'wait',
      fit: 'cover',
    },
    {
      id: 'cb',
      z: 'tab',
      type: 'mobilenet-classify',
      model: 'mb',
      topK: 3,
      threshold: 0,
      keepImage: false,
      wires: [['out']],
    },
  ]);
  try {
    await waitUntil(
      () => (statusOf('cb')?.fill === 'red' || statusOf('cb')?.fill === 'green' ? true : undefined),
      boundMs,
    );
    return await through('cb', { payload: Buffer.from(good.bytes) }, boundMs);
  } finally {
    await deploy([]);
  }
}

async function brokerSettings(input: Extract<FuzzCase['input'], { type: 'mqtt' }>, boundMs: number): Promise<Outcome> {
  const credentials =
    input.username !== undefined ? { mqb: { user: input.username, password: input.password ?? '' } } : {};
  await deploy(
    [
      {
        id: 'mqb',
        type: 'mobilenet-mqtt-broker',
        url: input.url,
        keepalive: input.keepalive ?? 30,
        protocol: input.protocol ?? '3.1.1',
        cleanSession: true,
      },
      {
        id: 'mql',
        z: 'tab',
        type: 'mobilenet-mqtt-labels',
        broker: 'mqb',
        prefix: 'fuzz',
        source: '',
        labelsMode: 'every',
        statsInterval: 0,
        discovery: false,
        watched: [],
        wires: [],
      },
    ],
    credentials,
  );
  try {
    const status = await waitUntil(() => {
      const s = statusOf('mql');
      return s?.fill === 'red' || s?.fill === 'green' ? s : undefined;
    }, boundMs);
    // A frame reaching a publisher that cannot connect is queued or counted, never thrown.
    helper.getNode('mql')?.receive({
      payload: [{ label: 'macaw', score: 0.9, index: 88 }],
      frame: { source: 'fuzz', seq: 1, ts: Date.now() },
    });
    await sleep(20);
    if (!status)
      return {
        result: 'hang',
        message: `no connected or error status within ${boundMs} ms (last: ${JSON.stringify(statusOf('mql'))})`,
      };
    return status.fill === 'green' ? { result: 'ok', message: status.text } : { result: 'error', message: status.text };
  } finally {
    await deploy([]);
  }
}

const surface: ChildSurface = {
  async init(init) {
    baseFlow = flow(init);
    await helper.startServer();
    await helper.load(NODES, baseFlow);
    outputs = collect(node('out'));
    caught = collect(node('caught'));
    const ready = await waitUntil(() => (statusOf('c1')?.fill === 'green' ? true : undefined), init.boundMs);
    if (!ready) throw new Error(`the classify node never became ready: ${JSON.stringify(statusOf('c1'))}`);
  },
  async runCase(fuzzCase, good, boundMs) {
    const input = fuzzCase.input;
    switch (input.type) {
      case 'image':
        return through('c1', { payload: Buffer.from(input.bytes) }, boundMs);
      case 'raw':
        return through(
          'c1',
          { payload: Buffer.from(input.bytes), width: input.width, height: input.height, channels: input.channels },
          boundMs,
        );
      case 'message':
        return through('c1', materializeMessage(input.json, good.bytes, input.bytes), boundMs);
      case 'file':
        return through('c1', { payload: input.name }, boundMs);
      case 'model':
        return brokenModel(input.path, good, boundMs);
      case 'mqtt':
        return brokerSettings(input, boundMs);
      default:
        throw new Error(`the node surface does not take ${input.type} cases`);
    }
  },
  async classify(good) {
    const outcome = await through('c1', { payload: Buffer.from(good.bytes) }, 30000);
    if (outcome.result !== 'ok') throw new Error(outcome.message ?? outcome.result);
    return outcome.label ?? '(none)';
  },
};

serve(surface);
