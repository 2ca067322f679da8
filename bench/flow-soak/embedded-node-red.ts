import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

// Node-RED ships no types; this is the slice of its embedding API the soak uses.
interface NodeRedRuntime {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): object | null };
}

export interface LogEntry {
  level: number;
  type?: string;
  msg: unknown;
}

export interface EmbeddedNodeRed {
  red: NodeRedRuntime;
  stop(): Promise<void>;
}

export interface EmbedOptions {
  flow: object[];
  /** Reachable from function nodes as global.get(name): how the flow reports back to the soak. */
  globals: Record<string, unknown>;
  onLog(entry: LogEntry): void;
}

/**
 * Node-RED 4 in this process, with this package installed into a fresh user directory the way a
 * palette install does (userDir/node_modules), so nodes load exactly as users get them. No editor,
 * no HTTP nodes: only the runtime and the flow. Node-RED is a singleton: one per process.
 */
export async function startNodeRed(options: EmbedOptions): Promise<EmbeddedNodeRed> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-soak-'));
  const packageRoot = path.resolve(__dirname, '..', '..', '..');
  const { name } = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { name: string };
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(packageRoot, path.join(userDir, 'node_modules', name), 'dir');
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(options.flow));
  const red = require('node-red') as NodeRedRuntime;
  const server = http.createServer();
  red.init(server, {
    userDir,
    flowFile: 'flows.json',
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: 'soak-run-has-no-credentials',
    functionGlobalContext: options.globals,
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    logging: { console: { level: 'off' }, soak: { level: 'warn', handler: () => options.onLog } },
  });
  await red.start();
  return {
    red,
    async stop() {
      await red.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}
