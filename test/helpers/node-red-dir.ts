import * as path from 'node:path';

/**
 * The Node-RED the tests run: the package directory NODE_RED_RUNTIME names (`npm test` points it at Node-RED 5 for
 * its Node 22 pass, see scripts/test.js), else this repository's dependency (Node-RED 4.1).
 */
export const NODE_RED_DIR = process.env.NODE_RED_RUNTIME
  ? path.resolve(process.env.NODE_RED_RUNTIME)
  : path.dirname(require.resolve('node-red/package.json'));
