#!/usr/bin/env node
// Installs the second runtime the tests run the Node-RED-facing tests on: Node.js 22 and Node-RED 5.0.x, both from
// the npm registry, into .node-red-5/ (git-ignored). `npm test` finds them there and runs its Node-RED 5 pass;
// without them it runs on the default `node` and Node-RED 4.1 only. CI (.ci/run) calls this before `npm test`.
//
// Node-RED 5 refuses Node 20, so its install runs under the Node 22 it first installs: the npm of this machine is
// started with that node first on PATH (npm's own script starts with `#!/usr/bin/env node`).

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { NODE_22_SPEC, NODE_RED_5_SPEC, runtime22 } = require('./node-red-5-runtime.js');

const root = path.resolve(__dirname, '..');
const { dir, node, nodeRed } = runtime22(root);

function npmInstall(spec, env) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], {
    cwd: dir,
    stdio: 'inherit',
    env,
  });
}

fs.mkdirSync(dir, { recursive: true });
// A package.json of its own keeps npm from walking up to this repository's, and lists both packages so the second
// install does not prune the first.
const manifest = path.join(dir, 'package.json');
if (!fs.existsSync(manifest)) fs.writeFileSync(manifest, '{ "private": true }\n');

if (!fs.existsSync(node)) npmInstall(NODE_22_SPEC, process.env);
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
if (!/^v22\./.test(version)) throw new Error(`${node} is ${version}, expected Node.js 22`);

const withNode22 = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
if (!fs.existsSync(path.join(nodeRed, 'package.json'))) npmInstall(NODE_RED_5_SPEC, withNode22);
const nodeRedVersion = JSON.parse(fs.readFileSync(path.join(nodeRed, 'package.json'), 'utf8')).version;
console.log(`Node.js ${version} and Node-RED ${nodeRedVersion} in ${path.relative(root, dir)}/`);
