import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR, imagePath } from '../fixtures';
import { freePort } from '../mqtt/helpers/brokers';
import { onTeardown, waitFor } from '../helpers';
import { NODE_RED_DIR } from '../helpers/node-red-dir';

const REPO = path.resolve(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
};
const NODE_RED_VERSION = (
  JSON.parse(fs.readFileSync(path.join(NODE_RED_DIR, 'package.json'), 'utf8')) as { version: string }
).version;
const EXAMPLE = 'Folder replay - classify - debug.json';

interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

/** Runs npm as the palette manager would, here on the node running the tests; returns its whole output. */
function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, `npm ${args.join(' ')} failed:\n${output}`);
  return output;
}

/**
 * The example flow as a user would adapt it: its folder camera replays a folder holding one photo, its model node names
 * a model on disk (nothing is downloaded), and its debug node also writes to the log, where the test reads it.
 */
function adaptedExample(installed: string, framesDir: string): FlowNode[] {
  const flow = JSON.parse(fs.readFileSync(path.join(installed, 'examples', EXAMPLE), 'utf8')) as FlowNode[];
  const byType = (type: string): FlowNode[] => flow.filter((n) => n.type === type);
  assert.equal(byType('mobilenet-camera').length, 1, `${EXAMPLE}: one camera`);
  assert.equal(byType('mobilenet-model').length, 1, `${EXAMPLE}: one model`);
  Object.assign(byType('mobilenet-camera')[0], { kind: 'folder', dir: framesDir, folderMode: 'loop' });
  Object.assign(byType('mobilenet-model')[0], { source: 'path', path: V1_025_LAYERS_DIR });
  const labels = byType('debug').find((n) => n.name === 'labels');
  assert.ok(labels, `${EXAMPLE}: a debug node named "labels"`);
  labels.console = true;
  // Import places the nodes on a tab; a flows file has to say which.
  return [
    { id: 'palette-tab', type: 'tab', label: 'example' },
    ...flow.map((n) => ('x' in n ? { ...n, z: 'palette-tab' } : n)),
  ];
}

describe(`palette install of the packed tarball into a fresh Node-RED ${NODE_RED_VERSION} user directory`, function () {
  // npm pack + npm install (its dependencies from npm's cache) + Node-RED's start: about a minute on a busy machine.
  this.timeout(300_000);

  it(
    'npm install prints no warning from this package, the nodes load, and the folder-replay example classifies ' +
      'offline with a model on disk',
    async function () {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-palette-'));
      onTeardown('remove the palette work directory', () => fs.rmSync(work, { recursive: true, force: true }));

      // What `npm publish` would upload (dist/ is built by `npm test`; --ignore-scripts keeps prepack from rebuilding
      // the dist/ these tests run from).
      const packed = JSON.parse(
        npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work, '--loglevel=error'], REPO),
      ) as Array<{ filename: string }>;
      const tarball = path.join(work, packed[0].filename);

      // A user directory as Node-RED creates it, and the palette manager's own install command (Node-RED 4.1 and 5
      // run: npm install --no-audit --no-update-notifier --no-fund --save --save-prefix=~ --omit=dev --engine-strict).
      // --prefer-offline takes the dependencies from npm's cache, which `npm ci` filled.
      const userDir = path.join(work, 'node-red');
      fs.mkdirSync(userDir);
      fs.writeFileSync(
        path.join(userDir, 'package.json'),
        JSON.stringify({
          name: 'node-red-project',
          description: 'A Node-RED Project',
          version: '0.0.1',
          private: true,
        }),
      );
      const install = npm(
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--save',
          '--save-prefix=~',
          '--omit=dev',
          '--engine-strict',
          '--prefer-offline',
          tarball,
        ],
        userDir,
      );
      const warnings = install.split('\n').filter((line) => /\bwarn\b/i.test(line));
      assert.deepEqual(
        warnings.filter((line) => line.includes(PKG.name) || /install-scripts|allowScripts/.test(line)),
        [],
        `npm install warned about this package:\n${install}`,
      );
      const installed = path.join(userDir, 'node_modules', PKG.name);
      assert.ok(fs.existsSync(path.join(installed, 'dist', 'nodes')), 'the tarball ships the compiled nodes');

      const framesDir = path.join(work, 'frames');
      fs.mkdirSync(framesDir);
      fs.copyFileSync(imagePath('parrot.jpg'), path.join(framesDir, 'parrot.jpg'));
      fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(adaptedExample(installed, framesDir)));

      // Node-RED's own command line, on the node running the tests, with the user directory above.
      const port = await freePort();
      let output = '';
      const red = spawn(
        process.execPath,
        [
          path.join(NODE_RED_DIR, 'red.js'),
          '--userDir',
          userDir,
          '--port',
          String(port),
          '-D',
          'uiHost=127.0.0.1',
          'flows.json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOBILENET_CACHE: path.join(work, 'cache') } },
      );
      red.stdout.on('data', (d: Buffer) => (output += d.toString()));
      red.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<void>((resolve) => red.once('exit', () => resolve()));
      onTeardown('stop Node-RED', async () => {
        if (red.exitCode === null && red.signalCode === null) {
          red.kill('SIGINT');
          const overdue = setTimeout(() => red.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(overdue);
        }
      });

      await waitFor(
        () => {
          if (red.exitCode !== null) throw new Error(`Node-RED exited (${red.exitCode}):\n${output}`);
          return /\[debug:labels\][\s\S]*macaw/.test(output);
        },
        { what: () => `the example's debug node to log "macaw":\n${output}`, timeoutMs: 120_000 },
      );
      assert.match(output, new RegExp(`Node-RED version: v${NODE_RED_VERSION.replace(/\./g, '\\.')}`));
      assert.match(output, new RegExp(`Node.js {1,2}version: ${process.version.replace(/\./g, '\\.')}`));

      // Every node type of the package is registered, enabled and without a load error.
      const nodes = (await (
        await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { accept: 'application/json' } })
      ).json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
      const ours = nodes.filter((set) => set.module === PKG.name);
      assert.ok(ours.length > 0, `the palette lists ${PKG.name}: ${JSON.stringify(nodes.map((s) => s.module))}`);
      for (const set of ours) assert.ok(set.enabled && !set.err, `${set.types.join(', ')}: ${set.err ?? 'disabled'}`);
      assert.deepEqual(
        ours.flatMap((set) => set.types).sort(),
        Object.keys(PKG['node-red'].nodes).sort(),
        'every node type the package declares',
      );
      assert.doesNotMatch(output, /Missing node types|\[(warn|error)\][^\n]*mobilenet/, output);
    },
  );
});
