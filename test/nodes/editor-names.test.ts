import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';

const ROOT = path.join(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
};
const NODE_TYPES = Object.keys(pkg['node-red'].nodes);
const CSS = 'mobilenet-editor.css';
const CSS_TAG = `<link rel="stylesheet" href="resources/${pkg.name}/${CSS}">`;

interface NodeDefinition {
  category: string;
  paletteLabel?: string | ((this: NodeDefinition) => string);
  _?: (key: string) => string;
}

function editorHtml(type: string): string {
  return fs.readFileSync(path.join(ROOT, 'nodes', type, `${type}.html`), 'utf8');
}

function helpHtml(type: string): string {
  return fs.readFileSync(path.join(ROOT, 'nodes', type, 'locales', 'en-US', `${type}.html`), 'utf8');
}

function messages(type: string): Record<string, unknown> {
  const file = path.join(ROOT, 'nodes', type, 'locales', 'en-US', `${type}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Looks up `type.a.b` in the node's en-US catalog, as the editor's `this._` does (the key itself when missing). */
function translate(type: string, key: string): string {
  let value: unknown = messages(type);
  for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === 'string' ? value : key;
}

/** Runs the node's editor scripts as the editor does, and returns the definition it registers. */
function registeredDefinition(type: string): NodeDefinition {
  const scripts = [...editorHtml(type).matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)];
  let found: NodeDefinition | undefined;
  const editorScript = fs.readFileSync(path.join(ROOT, 'resources', 'mobilenet-editor.js'), 'utf8');
  const window: Record<string, unknown> = {};
  vm.runInNewContext(editorScript, { window });
  const context = {
    ...window,
    window,
    RED: {
      nodes: {
        registerType(name: string, def: NodeDefinition): void {
          if (name === type) found = def;
        },
      },
      _: (key: string) => key,
      settings: {},
    },
    $: () => ({ on: () => undefined }),
  };
  for (const [, code] of scripts) vm.runInNewContext(code, context);
  assert.ok(found, `${type}.html registers ${type}`);
  // The editor binds `_` to the node's own catalog (namespace = the node set).
  found._ = (key: string) => translate(type, key);
  return found;
}

/** What the palette, the help list and the edit dialog's title call the node. */
function paletteLabel(def: NodeDefinition): string {
  return typeof def.paletteLabel === 'function' ? def.paletteLabel.call(def) : (def.paletteLabel ?? '');
}

describe('editor: names, checkbox rows and help layout', function () {
  for (const type of NODE_TYPES) {
    it(`${type}: palette, help list and "Edit … node" use a name from its catalog, not the type`, function () {
      const def = registeredDefinition(type);
      const label = paletteLabel(def);
      assert.equal(label, translate(type, `${type}.paletteLabel`), 'the label comes from the catalog');
      assert.ok(label.length > 0 && label !== type && !label.startsWith('mobilenet-'), `${type} is called "${label}"`);
    });
  }

  it('names the config nodes so a user knows what they are', function () {
    assert.equal(paletteLabel(registeredDefinition('mobilenet-model')), 'MobileNet model');
    assert.equal(paletteLabel(registeredDefinition('mobilenet-mqtt-broker')), 'MobileNet MQTT broker');
    assert.equal(paletteLabel(registeredDefinition('mobilenet-label-set')), 'MobileNet label set');
  });

  it("calls a folder source's output images in every accepted format, not JPEG frames", function () {
    const def = registeredDefinition('mobilenet-camera') as NodeDefinition & {
      outputLabels(this: { kind: string; _: (key: string) => string }): string;
    };
    const _ = (key: string): string => translate('mobilenet-camera', key);
    assert.equal(def.outputLabels.call({ kind: 'command', _ }), 'JPEG frames');
    const folder = def.outputLabels.call({ kind: 'folder', _ });
    assert.match(folder, /JPEG, PNG, WebP, GIF, TIFF or AVIF/);
  });

  it('keeps each checkbox label beside its checkbox, without a fixed width that pushes it below', function () {
    const css = fs.readFileSync(path.join(ROOT, 'resources', CSS), 'utf8');
    assert.match(css, /label\.mobilenet-check-label\s*\{[^}]*width:\s*calc\(100% - \d+px\);[^}]*vertical-align:\s*top/);
    for (const type of NODE_TYPES) {
      const html = editorHtml(type);
      const rows = [...html.matchAll(/<input type="checkbox" id="([^"]+)"[^>]*>\s*<label for="\1"([^>]*)>/g)];
      for (const [, id, attributes] of rows) {
        // keepImage shares its row with the property name input, so its label stays as wide as its text.
        if (id.endsWith('keepImage')) continue;
        assert.match(attributes, /class="mobilenet-check-label"/, `${type}: the label of ${id}`);
        assert.doesNotMatch(attributes, /width:\s*\d+%/, `${type}: the label of ${id}`);
      }
      if (type === 'mobilenet-classify') {
        assert.ok(
          rows.some(([, id]) => id === 'node-input-noMatchOutput'),
          'the "Second output…" row is a checkbox with its label',
        );
      }
    }
  });

  it('wraps code in the help at the sidebar edge (inside .mobilenet-help, styled by the shared sheet)', function () {
    const css = fs.readFileSync(path.join(ROOT, 'resources', CSS), 'utf8');
    assert.match(css, /\.mobilenet-help code\s*\{[^}]*white-space:\s*normal;[^}]*overflow-wrap:\s*anywhere/);
    assert.match(css, /\.mobilenet-help pre\s*\{[^}]*white-space:\s*pre-wrap/);
    for (const type of NODE_TYPES) {
      assert.ok(editorHtml(type).includes(CSS_TAG), `${type}.html loads ${CSS}`);
      const help = helpHtml(type);
      const body = /<script type="text\/html" data-help-name="[^"]+">\s*([\s\S]*?)\s*<\/script>/.exec(help)?.[1] ?? '';
      assert.ok(body.startsWith('<div class="mobilenet-help">'), `${type}'s help opens the wrapper`);
      assert.ok(body.endsWith('</div>'), `${type}'s help closes the wrapper`);
    }
  });
});
