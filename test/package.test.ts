import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The package facts the Node-RED flow library scorecard (`node-red-dev validate`) checks, checked
 * here because the tool itself stops at its online catalogue look-up when offline.
 */

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  license?: string;
  repository?: { url?: string } | string;
  keywords?: string[];
  engines?: { node?: string };
  files?: string[];
  'node-red'?: { version?: string; nodes?: Record<string, string> };
};
const nodeTypes = Object.keys(pkg['node-red']?.nodes ?? {});

/** Node types the core palette registers, read from the installed Node-RED itself. */
function coreNodeTypes(): Set<string> {
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
  walk(path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core'));
  return types;
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

describe('package: flow library scorecard facts', function () {
  it('has a licence, a repository and a node-red-contrib- (or scoped) name with the node-red keyword', function () {
    assert.ok(pkg.license && pkg.license.length > 0, 'license field');
    assert.ok(fs.existsSync(path.join(ROOT, 'LICENSE')), 'LICENSE file');
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    assert.ok(url && /github\.com|gitlab|bitbucket|^git/.test(url), `repository: ${String(url)}`);
    assert.match(pkg.name, /^(@[a-z0-9-~][a-z0-9-._~]*\/)?node-red-contrib-|^@[a-z0-9-~][a-z0-9-._~]*\/node-red-/);
    assert.ok(pkg.keywords?.includes('node-red'), 'the node-red keyword puts it in the flow library');
  });

  it('declares the Node-RED and Node versions it supports', function () {
    assert.match(pkg['node-red']?.version ?? '', /^>=\s*\d+\.\d+\.\d+$/);
    assert.match(pkg.engines?.node ?? '', /^>=\s*\d+/);
    // The installed Node-RED, which the node tests run against, must satisfy it.
    const installed = (
      JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }
    ).version;
    const min = (pkg['node-red']?.version ?? '')
      .replace(/^>=\s*/, '')
      .split('.')
      .map(Number);
    const have = installed.split('.').map(Number);
    assert.ok(
      have[0] > min[0] || (have[0] === min[0] && (have[1] > min[1] || (have[1] === min[1] && have[2] >= min[2]))),
      `${installed} vs ${pkg['node-red']?.version}`,
    );
  });

  it('lists node types that each have a runtime, an editor template, help and messages', function () {
    assert.ok(nodeTypes.length > 0);
    for (const type of nodeTypes) {
      const runtime = pkg['node-red']!.nodes![type];
      assert.equal(runtime, `dist/nodes/${type}/${type}.js`, `${type}: runtime path follows nodes/<type>/<type>`);
      assert.ok(fs.existsSync(path.join(ROOT, 'nodes', type, `${type}.ts`)), `${type}: source`);
      assert.ok(fs.existsSync(path.join(ROOT, runtime)), `${type}: compiled runtime (run the build)`);
      const editor = read(`nodes/${type}/${type}.html`);
      assert.match(editor, new RegExp(`registerType\\(\\s*['"]${type}['"]`), `${type}: editor registers the type`);
      assert.match(editor, new RegExp(`data-template-name="${type}"`), `${type}: edit dialog`);
      const help = read(`nodes/${type}/locales/en-US/${type}.html`);
      assert.match(help, new RegExp(`data-help-name="${type}"`), `${type}: help`);
      assert.ok(help.replace(/<[^>]+>/g, '').trim().length > 200, `${type}: help says something`);
      const messages = JSON.parse(read(`nodes/${type}/locales/en-US/${type}.json`)) as Record<string, unknown>;
      assert.ok(messages[type], `${type}: messages under its own key`);
      const icon = /icon:\s*['"]([^'"]+)['"]/.exec(editor)?.[1];
      if (!/category:\s*['"]config['"]/.test(editor)) {
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

  it('has no node type that clashes with a core node', function () {
    const core = coreNodeTypes();
    assert.ok(core.has('mqtt in') && core.has('inject'), 'read the core palette');
    for (const type of nodeTypes) assert.equal(core.has(type), false, `${type} clashes with a core node`);
  });

  it('ships importable examples: valid JSON, only core and own node types, each with a comment node', function () {
    assert.ok(pkg.files?.includes('examples'), 'examples are published');
    const core = coreNodeTypes();
    const files = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 3, `examples: ${files.join(', ')}`);
    for (const file of files) {
      const flow = JSON.parse(read(`examples/${file}`)) as Array<{
        id: string;
        type: string;
        wires?: string[][];
        [key: string]: unknown;
      }>;
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
});
