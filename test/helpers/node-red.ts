import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_RED_DIR } from './node-red-dir';

// node-red-node-test-helper ships no types; this is the part the tests use.
export interface SpiedNode {
  id: string;
  on(event: string, handler: (arg: unknown) => void): void;
  off(event: string, handler: (arg: unknown) => void): void;
  receive(msg: object): void;
  status: { args: unknown[][] };
  warn: { args: unknown[][] };
  error: { args: unknown[][] };
  log: { args: unknown[][] };
  [key: string]: unknown;
}
export interface TestHelper {
  init(runtimePath: string): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: object[], credentials?: object): Promise<void>;
  setFlows(flow: object[], type: 'full' | 'flows' | 'nodes', credentials?: object): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): SpiedNode | null;
  request(): { get(path: string): { expect(status: number): Promise<{ body: unknown }> } };
  /** The runtime log spy. */
  log(): { args: unknown[][] };
}

export { NODE_RED_DIR };

export const helper = require('node-red-node-test-helper') as TestHelper;
helper.init(require.resolve(NODE_RED_DIR));

/** The compiled node modules under dist/nodes, as Node-RED would load them. */
export const DIST_NODES = path.join(__dirname, '..', '..', 'nodes');

type NodeModule = (red: { _: unknown }) => unknown;

type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/**
 * RED._ as Node-RED answers it for a node's package: the node's own en-US messages (keys
 * `<type>.…`), and Node-RED's shared ones (`node-red:common.status.connected` and the like).
 */
export function redTranslate(type: string): Translate {
  const file = path.join(DIST_NODES, type, 'locales', 'en-US', `${type}.json`);
  const messages = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const core = JSON.parse(
    fs.readFileSync(require.resolve('@node-red/nodes/locales/en-US/messages.json', { paths: [NODE_RED_DIR] }), 'utf8'),
  ) as Record<string, unknown>;
  return (key, substitutions = {}) => {
    const [catalogue, path] = key.startsWith('node-red:') ? [core, key.slice('node-red:'.length)] : [messages, key];
    const found = path
      .split('.')
      .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], catalogue);
    if (typeof found !== 'string') return key;
    return found.replace(/__(\w+)__/g, (whole, name: string) =>
      name in substitutions ? String(substitutions[name]) : whole,
    );
  };
}

/** A node's own messages, as the node's `t` reads them (`t('errors.x')` is `<type>.errors.x`). */
export function nodeMessages(type: string): Translate {
  const translate = redTranslate(type);
  return (key, substitutions) => translate(`${type}.${key}`, substitutions);
}

/**
 * The compiled node module, given the node's own en-US messages: the test helper's RED._ returns
 * the key itself, which would hide what a user reads in status texts and errors.
 */
export function distNode(type: string): unknown {
  const module = require(path.join(DIST_NODES, type, `${type}.js`)) as NodeModule;
  const translate = redTranslate(type);
  const wrapped = (red: object): unknown =>
    module(Object.assign(Object.create(red) as object, { _: translate }) as { _: unknown });
  return wrapped;
}

/** Collects every msg a helper node receives, typed as what the node under test sends it. */
export function collect<T extends object = Record<string, unknown>>(node: SpiedNode): T[] {
  const seen: T[] = [];
  node.on('input', (msg) => seen.push(msg as T));
  return seen;
}
