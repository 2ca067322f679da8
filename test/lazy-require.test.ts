import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(
  ROOT,
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string }).main,
);

/** The files a fresh process has loaded once `script` ran, relative to the repository. */
function loadedBy(script: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['-e', `${script}; console.log(JSON.stringify(Object.keys(require.cache))); process.exit(0)`],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out) as string[]).map((file) => path.relative(ROOT, file));
}

const HEAVY = ['node_modules/mqtt/', 'node_modules/sharp/', 'node_modules/@tensorflow/', 'node_modules/@litertjs/'];

describe('require of the package loads what a caller uses when it uses it', function () {
  this.timeout(60_000);

  it('loads neither mqtt, sharp, TensorFlow.js nor LiteRT.js: only its own modules', function () {
    const loaded = loadedBy(`require(${JSON.stringify(MAIN)})`);
    assert.ok(
      loaded.some((file) => file.startsWith('dist/src/runner/')),
      'the classifier is there to use',
    );
    const heavy = loaded.filter((file) => HEAVY.some((dir) => file.includes(dir)));
    assert.deepEqual(heavy, [], 'loaded at require time');
    assert.deepEqual(
      loaded.filter((file) => file.includes('node_modules/')),
      [],
      'no dependency at all is loaded by require',
    );
  });

  it('loads mqtt.js when a label publisher is made, and sharp when an image is decoded', async function () {
    const loaded = loadedBy(
      `const p = require(${JSON.stringify(MAIN)}); ` +
        "new p.LabelPublisher({ url: 'mqtt://127.0.0.1:1' }); " +
        `require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'image', 'sharp-runtime.js'))}).imageSharp()`,
    );
    assert.ok(
      loaded.some((file) => file.includes('node_modules/mqtt/')),
      'mqtt.js once a publisher connects',
    );
    assert.ok(
      loaded.some((file) => file.includes('node_modules/sharp/')),
      'sharp once an image is decoded',
    );
  });
});
