import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Node-RED flow library scorecard (`node-red-dev validate`, 0.1.6), rule by rule, checked offline: the tool
 * itself asks the npm registry and the flow catalogue, so it cannot run in the tests. What a rule needs from the
 * network (N01's catalogue, D03's latest versions) is said beside it; the README's "Dependencies" section states
 * where the package departs from a rule, and the D01 test holds it to what it states.
 */

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  license?: string;
  repository?: { url?: string } | string;
  bugs?: unknown;
  keywords?: string[];
  engines?: { node?: string };
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  'node-red'?: { version?: string; nodes?: Record<string, string> };
};
const nodeTypes = Object.keys(pkg['node-red']?.nodes ?? {});
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** The README as running text (line breaks inside a sentence do not matter). */
const README_TEXT = README.replace(/\s+/g, ' ');

/** The Node-RED runtimes the tests run on: this repository's 4.1, and Node-RED 5 when it is installed. */
function testedNodeRedDirs(): string[] {
  const { runtime22 } = require(path.join(ROOT, 'scripts', 'node-red-5-runtime.js')) as {
    runtime22(root: string): { nodeRed: string };
  };
  const dirs = [path.dirname(require.resolve('node-red/package.json'))];
  const five = runtime22(ROOT).nodeRed;
  if (fs.existsSync(path.join(five, 'package.json'))) dirs.push(five);
  return dirs;
}

function manifestOf(dir: string): { version: string; engines?: { node?: string } } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    version: string;
    engines?: { node?: string };
  };
}

/** The lowest version a `>=X[.Y[.Z]]` range admits, as numbers. */
function floorOf(range: string): number[] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  assert.ok(m, `"${range}" is not of the form >=X.Y.Z`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function atLeast(version: string, floor: number[]): boolean {
  const have = version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== floor[i]) return have[i] > floor[i];
  return true;
}

/** Node types a Node-RED's core palette registers, read from its own editor files. */
function coreNodeTypes(nodeRedDir: string): Set<string> {
  const types = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.html')) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.add(m[1]);
      }
    }
  };
  const nodes = require.resolve('@node-red/nodes/package.json', { paths: [nodeRedDir] });
  walk(path.join(path.dirname(nodes), 'core'));
  return types;
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** The editor category each node type registers with (the scorecard reads it from the .html beside the .js). */
function categoryOf(type: string): string | undefined {
  return /category:\s*['"]([^'"]+)['"]/.exec(read(`nodes/${type}/${type}.html`))?.[1];
}

/** Every example flow the package ships, by file name. */
function examples(): Map<string, Array<{ id: string; type: string; wires?: string[][]; [key: string]: unknown }>> {
  const flows = new Map();
  for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json')))
    flows.set(file, JSON.parse(read(`examples/${file}`)));
  return flows;
}

/** The package names in the README's dependency table (the rows of "### Dependencies"). */
function readmeDependencies(): string[] {
  const section = /\n### Dependencies\n([\s\S]*?)\n#{2,3} /.exec(README)?.[1];
  assert.ok(section, 'the README has a "### Dependencies" section');
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

describe('package: the flow library scorecard, offline', function () {
  it('P01: has a licence, in package.json and as a LICENSE file', function () {
    assert.ok(pkg.license && pkg.license.length > 0, 'license field');
    assert.ok(fs.existsSync(path.join(ROOT, 'LICENSE')), 'LICENSE file');
    assert.ok(README_TEXT.includes(`Licence: ${pkg.license}.`), 'the README names the same licence');
  });

  it("P02/P03: names a git repository whose name is the package's, for issues as well", function () {
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    assert.ok(url && /^(git\+)?https:\/\/(github\.com|gitlab\.com|bitbucket\.org)\/.+\.git$/.test(url), String(url));
    assert.equal(path.basename(url, '.git'), pkg.name.replace(/^@[^/]+\//, ''), 'P02: the repository is named so');
  });

  it('P04: a node-red-contrib- (or scoped) name; P05: the node-red keyword', function () {
    // node-red-dev: a name starting node-red/nodered must go on with -contrib- unless it is scoped.
    assert.ok(
      /^@[a-z\d][\w-.]+\/[a-z\d][\w-.]*$/.test(pkg.name) || !/^(node-red|nodered)(?!-contrib-)/i.test(pkg.name),
    );
    assert.match(pkg.name, /^node-red-contrib-[a-z\d-]+$/);
    assert.ok(pkg.keywords?.includes('node-red'), 'the node-red keyword puts it in the flow library');
  });

  it('P06: node-red.version admits every Node-RED the tests run on (4.1 and 5.0)', function () {
    const floor = floorOf(pkg['node-red']?.version ?? '');
    const dirs = testedNodeRedDirs();
    for (const dir of dirs) {
      const { version } = manifestOf(dir);
      assert.ok(atLeast(version, floor), `Node-RED ${version} vs node-red.version ${pkg['node-red']?.version}`);
    }
    // Said where users read it: the README names the range and both tested lines.
    const stated = `\`node-red.version\` \`${pkg['node-red']?.version}\``;
    assert.ok(README_TEXT.includes(stated), `the README states ${stated}`);
    assert.ok(
      README_TEXT.includes('Supported and tested: **Node-RED 5.0 on Node.js 22** and **Node-RED 4.1 on Node.js 20**'),
      'the README names both tested lines',
    );
  });

  it("P07: engines.node admits the newest Node-RED's minimum Node.js, and the Node.js running the tests", function () {
    const floor = floorOf(pkg.engines?.node ?? '');
    // The scorecard takes Node-RED's latest release (the 5 line): the lowest Node.js it needs must be one we admit.
    for (const dir of testedNodeRedDirs().filter((d) => Number(manifestOf(d).version.split('.')[0]) >= 5)) {
      const { version, engines } = manifestOf(dir);
      const needs = floorOf(engines?.node ?? '>=0');
      assert.ok(atLeast(needs.join('.'), floor), `Node-RED ${version} needs Node.js ${engines?.node}`);
    }
    assert.ok(atLeast(process.version, floor), `${process.version} vs engines.node ${pkg.engines?.node}`);
    const stated = `\`engines.node\` \`${pkg.engines?.node}\``;
    assert.ok(README_TEXT.includes(stated), `the README states ${stated}`);
  });

  it('runs nothing when installed: no install-time script; npm pack builds what the tarball ships', function () {
    // npm 11 asks a user to approve any of these (install scripts not yet covered by allowScripts); the palette
    // install test (test/palette) shows it staying quiet.
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
      assert.equal(pkg.scripts?.[script], undefined, `a "${script}" script runs when the package is installed`);
    assert.equal(pkg.scripts?.prepack, 'node scripts/build.js', 'npm pack and npm publish build dist/ afresh');
    assert.ok(fs.existsSync(path.join(ROOT, 'binding.gyp')) === false, 'no native build');
    for (const shipped of ['dist/src', 'dist/nodes', 'examples']) assert.ok(pkg.files?.includes(shipped), shipped);
  });

  it('N01: node types are prefixed "mobilenet-" and clash with no core node of 4.1 or 5.0', function () {
    // The scorecard also compares them with every package in the online flow catalogue; the prefix is what keeps
    // them apart there.
    assert.ok(nodeTypes.length > 0);
    for (const type of nodeTypes) assert.match(type, /^mobilenet-[a-z-]+$/);
    for (const dir of testedNodeRedDirs()) {
      const core = coreNodeTypes(dir);
      assert.ok(core.has('mqtt in') && core.has('inject'), `read the core palette of ${dir}`);
      for (const type of nodeTypes) assert.equal(core.has(type), false, `${type} clashes with a core node`);
    }
  });

  it('N02: every node that is not a config node is used by at least one example flow', function () {
    assert.ok(pkg.files?.includes('examples'), 'examples are published');
    const used = new Set([...examples().values()].flat().map((n) => n.type));
    const flowNodes = nodeTypes.filter((type) => categoryOf(type) !== 'config');
    assert.ok(flowNodes.length >= 4, flowNodes.join(', '));
    for (const type of flowNodes) assert.ok(used.has(type), `no example uses ${type}`);
  });

  it('N02: the examples import cleanly: valid JSON, only core and own node types, each with a comment', function () {
    const core = coreNodeTypes(testedNodeRedDirs()[0]);
    const flows = examples();
    assert.ok(flows.size >= 3, `examples: ${[...flows.keys()].join(', ')}`);
    for (const [file, flow] of flows) {
      assert.ok(Array.isArray(flow) && flow.length > 0, file);
      const ids = new Set(flow.map((n) => n.id));
      assert.equal(ids.size, flow.length, `${file}: unique ids`);
      assert.ok(
        flow.some((n) => n.type === 'comment' && String(n.info ?? '').length > 50),
        `${file}: a comment node explaining it`,
      );
      for (const node of flow) {
        assert.ok(core.has(node.type) || nodeTypes.includes(node.type), `${file}: unknown node type "${node.type}"`);
        for (const target of (node.wires ?? []).flat())
          assert.ok(ids.has(target), `${file}: ${node.id} is wired to a missing node ${target}`);
        for (const key of ['model', 'broker']) {
          if (typeof node[key] === 'string' && nodeTypes.includes(node.type))
            assert.ok(ids.has(node[key] as string), `${file}: ${node.id}.${key} names a config node in the file`);
        }
      }
    }
  });

  it('nodes: each type has a runtime, an editor, help, messages and an icon where Node-RED looks', function () {
    for (const type of nodeTypes) {
      const runtime = pkg['node-red']!.nodes![type];
      assert.equal(runtime, `dist/nodes/${type}/${type}.js`, `${type}: runtime path follows nodes/<type>/<type>`);
      assert.ok(fs.existsSync(path.join(ROOT, 'nodes', type, `${type}.ts`)), `${type}: source`);
      assert.ok(fs.existsSync(path.join(ROOT, runtime)), `${type}: compiled runtime (run the build)`);
      // The scorecard reads each node's definition from the .html beside its .js.
      assert.ok(fs.existsSync(path.join(ROOT, runtime.replace(/\.js$/, '.html'))), `${type}: compiled editor`);
      const editor = read(`nodes/${type}/${type}.html`);
      assert.match(editor, new RegExp(`registerType\\(\\s*['"]${type}['"]`), `${type}: editor registers the type`);
      assert.match(editor, new RegExp(`data-template-name="${type}"`), `${type}: edit dialog`);
      assert.ok(categoryOf(type), `${type}: a literal category`);
      const help = read(`nodes/${type}/locales/en-US/${type}.html`);
      assert.match(help, new RegExp(`data-help-name="${type}"`), `${type}: help`);
      assert.ok(help.replace(/<[^>]+>/g, '').trim().length > 200, `${type}: help says something`);
      const messages = JSON.parse(read(`nodes/${type}/locales/en-US/${type}.json`)) as Record<string, unknown>;
      assert.ok(messages[type], `${type}: messages under its own key`);
      const icon = /icon:\s*['"]([^'"]+)['"]/.exec(editor)?.[1];
      if (categoryOf(type) !== 'config') {
        assert.ok(icon, `${type}: has an icon`);
        assert.ok(fs.existsSync(path.join(ROOT, 'icons', icon)), `${type}: icons/${icon}`);
        // Where Node-RED looks for it: an icons/ folder beside the node's runtime file.
        assert.ok(
          fs.existsSync(path.join(ROOT, 'dist', 'nodes', type, 'icons', icon)),
          `${type}: dist/nodes/${type}/icons/${icon}`,
        );
      }
      // Editor labels and help use keys that exist in the messages file.
      for (const m of editor.matchAll(/data-i18n="(?:\[[a-z]+\])?([\w-]+\.[\w.-]+)"/g)) {
        const value = m[1]
          .split('.')
          .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], messages);
        assert.equal(typeof value, 'string', `${type}: message ${m[1]} exists`);
      }
    }
  });

  it('D01: at most 6 dependencies, or each one argued in the README, which names the rule', function () {
    const declared = Object.keys(pkg.dependencies ?? {}).sort();
    assert.deepEqual(readmeDependencies().sort(), declared, "the README's dependency table lists exactly these");
    if (declared.length > 6) {
      const said = /The flow library's scorecard asks for at most 6 dependencies \(D01\); this package has (\w+)/.exec(
        README_TEXT,
      );
      assert.ok(said, 'the README argues the D01 exception');
      const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven'];
      assert.equal(said[1], words[declared.length] ?? String(declared.length), 'the README counts them right');
    }
  });

  it('D02: no known-incompatible package in the installed dependency tree (agent-base < 6)', function () {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { version?: string; dev?: boolean }>;
    };
    const production = Object.entries(lock.packages).filter(([where, entry]) => where && !entry.dev);
    assert.ok(production.length > 10, 'read the production tree from package-lock.json');
    for (const [where, entry] of production) {
      if (!where.endsWith('node_modules/agent-base')) continue;
      assert.ok(Number((entry.version ?? '0').split('.')[0]) >= 6, `${where}@${entry.version}`);
    }
  });

  it('D03: the lock installs what the declared ranges admit (whether that is the latest needs npm)', function () {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    assert.deepEqual(lock.packages['']?.dependencies, pkg.dependencies, 'package-lock.json matches package.json');
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
      const installed = lock.packages[`node_modules/${name}`]?.version ?? '';
      if (/^\d/.test(range)) assert.equal(installed, range, `${name} is pinned`);
      else {
        const [major] = range.replace(/^\^/, '').split('.');
        assert.ok(range.startsWith('^') && installed.split('.')[0] === major, `${name}: ${installed} vs ${range}`);
        assert.ok(atLeast(installed, range.replace(/^\^/, '').split('.').map(Number)), `${name}: ${installed}`);
      }
    }
  });
});
