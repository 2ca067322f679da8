// The slice of the Node-RED runtime API the MQTT nodes use. Node-RED ships no TypeScript types
// of its own, and this keeps the nodes strictly typed without adding a dependency.

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type NodeMessage = Record<string, unknown>;

export interface RedNode {
  id: string;
  credentials?: Record<string, string | undefined>;
  status(status: NodeStatus | Record<string, never>): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  on(event: 'input', handler: (msg: NodeMessage, send: (msg: NodeMessage) => void, done: (err?: Error) => void) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
}

export interface RedApi {
  nodes: {
    createNode(node: RedNode, config: object): void;
    // Node-RED calls the constructor with `new`, binding `this` to the node being created.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    registerType(type: string, constructor: (this: any, config: any) => void, options?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
    getNode(id: string): RedNode | null;
  };
  _(key: string, substitutions?: Record<string, string | number>): string;
}
