#!/usr/bin/env node
// `npm start` after a fresh `npm ci` finds dist/ already built (postprepare); this only rebuilds when
// it is missing, so a start never waits on the TypeScript compiler needlessly.

const fs = require('node:fs');
const path = require('node:path');
if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'app', 'start.js'))) require('./build.js');
