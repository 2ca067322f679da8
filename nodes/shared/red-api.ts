// The slice of the Node-RED runtime API this package's nodes use. Node-RED ships no TypeScript
// types of its own; this keeps the nodes strictly typed without adding a dependency.

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type NodeMessage = Record<string, unknown>;

/** `send` takes one msg, or one entry per output (null skips that output). */
export type SendFunction = (msg: NodeMessage | Array<NodeMessage | null>) => void;
export type DoneFunction = (err?: Error) => void;

export interface RedNode {
  id: string;
  type: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  status(status: NodeStatus | Record<string, never>): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  send(msg: NodeMessage | Array<NodeMessage | null>): void;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  // Node-RED counts the handler's parameters: two means it waits for `done`.
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
}

/** The minimum of express the admin endpoints need. */
export interface HttpRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
}
export interface HttpResponse {
  json(body: unknown): void;
  status(code: number): HttpResponse;
  /** Sets headers (express `set`). */
  set(headers: Record<string, string>): HttpResponse;
  send(body: Buffer | string): void;
}
export type HttpHandler = (req: HttpRequest, res: HttpResponse, next?: () => void) => void;

export interface RedApi {
  nodes: {
    createNode(node: RedNode, config: object): void;
    // Node-RED calls the constructor with `new`, binding `this` to the node being created. `never` accepts every
    // node's own `this` and config types (parameters are contravariant) without giving up type checks.
    registerType(
      type: string,
      nodeConstructor: (this: never, config: never) => void,
      options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
    ): void;
    getNode(id: string): RedNode | null;
  };
  httpAdmin: {
    get(path: string, ...handlers: HttpHandler[]): void;
    post(path: string, ...handlers: HttpHandler[]): void;
    delete(path: string, ...handlers: HttpHandler[]): void;
  };
  settings: {
    /** Node-RED's user directory (~/.node-red by default); undefined in some embedded runtimes. */
    userDir?: string;
  };
  util: {
    /** Sets a possibly nested property ("frame.image"), creating missing parents. */
    setMessageProperty(msg: NodeMessage, property: string, value: unknown, createMissing?: boolean): boolean;
  };
  auth: {
    needsPermission(permission: string): HttpHandler;
  };
  /** Node-RED's messaging hooks (2.0+): `onComplete` tells when a node finished a message, or failed it. */
  hooks: {
    add(name: string, handler: (event: CompleteEvent) => void): void;
    remove(name: string): void;
  };
  _(key: string, substitutions?: Record<string, string | number>): string;
}

/** What the `onComplete` hook is told: the message, the node that finished it, and its error if it failed. */
export interface CompleteEvent {
  msg: NodeMessage;
  error?: unknown;
  node: { id: string; node: RedNode };
}
