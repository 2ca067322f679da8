// Where the second test runtime (Node.js 22 + Node-RED 5.0.x) lives: scripts/install-node-red-5.js puts it there,
// scripts/test.js and the palette-install test look for it there. NODE22_BIN and NODE_RED_5_DIR point elsewhere.

const path = require('node:path');

/** What the install fetches from the npm registry. */
const NODE_22_SPEC = 'node@22';
const NODE_RED_5_SPEC = 'node-red@5.0.x';

function runtime22(root) {
  const dir = path.join(root, '.node-red-5');
  return {
    dir,
    node: process.env.NODE22_BIN || path.join(dir, 'node_modules', 'node', 'bin', 'node'),
    nodeRed: process.env.NODE_RED_5_DIR || path.join(dir, 'node_modules', 'node-red'),
  };
}

module.exports = { NODE_22_SPEC, NODE_RED_5_SPEC, runtime22 };
