import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { type AppProcess, rawRequest, startApp } from '../app/helpers/app-process';

const ROOT = path.join(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  files: string[];
  'node-red': { nodes: Record<string, string> };
};
const SCRIPT = 'mobilenet-editor.js';
const SCRIPT_URL = `resources/${pkg.name}/${SCRIPT}`;
const NODE_TYPES = Object.keys(pkg['node-red'].nodes);
/** The editors that once pasted orMissing and showRuntimeDefaults each. */
const EDITORS_WITH_DEFAULTS = [
  'mobilenet-model',
  'mobilenet-classify',
  'mobilenet-camera',
  'mobilenet-mqtt-broker',
  'mobilenet-mqtt-labels',
];

interface Editor {
  isWhole(v: unknown): boolean;
  isCount(v: unknown): boolean;
  isFraction(v: unknown): boolean;
  oneOf(list: unknown[]): (v: unknown) => boolean;
  isNumberAtLeast(min: number): (v: unknown) => boolean;
  orMissing(check: (v: unknown) => boolean): (v: unknown) => boolean;
}

/** Runs the shared editor script as the browser would, in a window of its own. */
function loadEditorScript(): Editor {
  const window: { MobilenetEditor?: Editor } = {};
  vm.runInNewContext(fs.readFileSync(path.join(ROOT, 'resources', SCRIPT), 'utf8'), { window });
  assert.ok(window.MobilenetEditor, 'the script defines window.MobilenetEditor');
  return window.MobilenetEditor;
}

describe('editor: one shared script in resources/, loaded by every node', function () {
  it('is published with the package and named by each editor that uses it, before its own script', function () {
    assert.ok(pkg.files.includes('resources'), 'package.json files lists resources');
    const users = NODE_TYPES.filter((type) => {
      const html = fs.readFileSync(path.join(ROOT, 'nodes', type, `${type}.html`), 'utf8');
      assert.doesNotMatch(html, /function (orMissing|showRuntimeDefaults|isWhole|isFraction|isCount)\b/, type);
      if (!html.includes('MobilenetEditor')) return false;
      const tag = html.indexOf(`<script type="text/javascript" src="${SCRIPT_URL}"></script>`);
      assert.ok(tag >= 0, `${type}.html loads ${SCRIPT_URL}`);
      assert.ok(tag < html.indexOf('RED.nodes.registerType'), `${type}.html loads it before registering`);
      return true;
    });
    for (const type of EDITORS_WITH_DEFAULTS) assert.ok(users.includes(type), `${type} uses the shared helpers`);
  });

  it('holds the validators the editors share', function () {
    const editor = loadEditorScript();
    assert.deepEqual(['4', 4, '0', '', 'x', '1.5'].map(editor.isWhole), [true, true, false, false, false, false]);
    assert.deepEqual(['0', 3, '-1', '1.5'].map(editor.isCount), [true, true, false, false]);
    assert.deepEqual(['0', '0.5', 1, '', '1.1', 'x'].map(editor.isFraction), [true, true, true, false, false, false]);
    assert.deepEqual(['a', 'c'].map(editor.oneOf(['a', 'b'])), [true, false]);
    assert.deepEqual(['', undefined, '0.01', '0', 'x'].map(editor.isNumberAtLeast(0.01)), [
      true,
      true,
      true,
      false,
      false,
    ]);
    // A property missing from an imported flow means the runtime's default; a present one is checked.
    const whole = editor.orMissing(editor.isWhole);
    assert.deepEqual([undefined, '2', '0'].map(whole), [true, true, false]);
  });

  describe('served by Node-RED (npm start)', function () {
    this.timeout(120_000);
    let app: AppProcess;
    before(async function () {
      app = await startApp();
    });
    after(async function () {
      await app?.stop();
    });

    it(`answers GET /${SCRIPT_URL} with the script, and the editor's node list names it`, async function () {
      const served = await rawRequest(app.port, { method: 'GET', path: `/${SCRIPT_URL}` });
      assert.equal(served.status, 200, served.text.slice(0, 200));
      assert.equal(served.text, fs.readFileSync(path.join(ROOT, 'resources', SCRIPT), 'utf8'));
      const nodes = await rawRequest(app.port, { method: 'GET', path: '/nodes', headers: { accept: 'text/html' } });
      assert.equal(nodes.status, 200);
      const loads = nodes.text.split(`src="${SCRIPT_URL}"`).length - 1;
      assert.ok(loads >= EDITORS_WITH_DEFAULTS.length, `${loads} editors load it`);
      // The stylesheet every editor and help links (checkbox rows, code that wraps in the help sidebar).
      const css = await rawRequest(app.port, { method: 'GET', path: `/resources/${pkg.name}/mobilenet-editor.css` });
      assert.equal(css.status, 200, css.text.slice(0, 200));
      assert.match(css.text, /\.mobilenet-help code/);
    });
  });
});
