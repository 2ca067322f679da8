#!/usr/bin/env node
// Compiles the TypeScript and copies each node's editor files (.html, locales) beside its
// compiled runtime, where Node-RED looks for them.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc');
// A clean build: a source renamed or deleted must not leave its old compiled file in dist/, where mocha's glob
// would still run it (and npm start would still load it).
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });

function copyEditorFiles(from, to) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      copyEditorFiles(source, target);
    } else if (/\.(html|json)$/.test(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(source, target);
    }
  }
}
copyEditorFiles(path.join(root, 'nodes'), path.join(root, 'dist', 'nodes'));

// Node-RED looks for a package's icons only in an icons/ folder beside each node's .js file.
const icons = path.join(root, 'icons');
for (const type of fs.readdirSync(path.join(root, 'dist', 'nodes'))) {
  if (!fs.existsSync(path.join(root, 'dist', 'nodes', type, `${type}.js`))) continue;
  const to = path.join(root, 'dist', 'nodes', type, 'icons');
  fs.mkdirSync(to, { recursive: true });
  for (const icon of fs.readdirSync(icons)) fs.copyFileSync(path.join(icons, icon), path.join(to, icon));
}

const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
