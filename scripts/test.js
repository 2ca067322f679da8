#!/usr/bin/env node
// `npm test`: builds, runs every test on the default `node` with this repository's Node-RED (4.1), then runs the tests
// that face Node-RED a second time on Node.js 22 with Node-RED 5: the nodes in a running Node-RED, the example flows,
// `npm start` end to end and the palette install. The core runs once; nothing in it depends on Node-RED.
//
// The second pass needs the runtime scripts/install-node-red-5.js puts into .node-red-5/ (CI installs it). Without
// it the pass is skipped with a line saying so; under CI (CI=true) a missing runtime fails the run instead.
// Extra arguments (`npm test -- --grep camera`) go to mocha in both passes.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { runtime22 } = require('./node-red-5-runtime.js');

const root = path.resolve(__dirname, '..');
const mocha = require.resolve('mocha/bin/mocha.js');
const extra = process.argv.slice(2);

/** The tests that run in Node-RED, or start it: they run once per Node-RED version. */
const NODE_RED_FACING = [
  'dist/test/nodes/**/*.test.js',
  'dist/test/examples/**/*.test.js',
  'dist/test/app/start.test.js',
  'dist/test/palette/**/*.test.js',
];

function run(node, args, env, title) {
  console.log(`\n== ${title}\n`);
  const result = spawnSync(node, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

require('./build.js');

let status = run(process.execPath, [mocha, 'dist/test/**/*.test.js', ...extra], process.env, 'all tests on this node');

const { node, nodeRed } = runtime22(root);
if (fs.existsSync(node) && fs.existsSync(path.join(nodeRed, 'package.json'))) {
  const { version } = JSON.parse(fs.readFileSync(path.join(nodeRed, 'package.json'), 'utf8'));
  const env = {
    ...process.env,
    // `npm start`, npm and every `node` the tests spawn run on Node 22 too.
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
    NODE_RED_RUNTIME: nodeRed,
  };
  const title = `the Node-RED-facing tests on Node.js 22 with Node-RED ${version}`;
  status = run(node, [mocha, ...NODE_RED_FACING, ...extra], env, title) || status;
} else {
  const why = `the Node-RED 5 pass needs ${path.relative(root, node)} and ${path.relative(root, nodeRed)}`;
  console.log(`\n${why}: \`node scripts/install-node-red-5.js\` installs them from the npm registry`);
  if (process.env.CI === 'true') {
    console.error('CI=true: the Node-RED 5 pass may not be skipped');
    status = status || 1;
  }
}
process.exit(status);
