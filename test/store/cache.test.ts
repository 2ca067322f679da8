import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { CACHE_ENV, cacheDir } from '../../src/store/cache';

describe('store/cache cacheDir', function () {
  const saved = process.env[CACHE_ENV];
  afterEach(function () {
    if (saved === undefined) delete process.env[CACHE_ENV];
    else process.env[CACHE_ENV] = saved;
  });

  it('uses MOBILENET_CACHE, made absolute', function () {
    process.env[CACHE_ENV] = 'some/relative/cache';
    assert.equal(cacheDir(), path.resolve('some/relative/cache'));
  });

  it('defaults to ~/.cache/node-red-contrib-mobilenet-mqtt when unset or blank', function () {
    delete process.env[CACHE_ENV];
    assert.equal(cacheDir(), path.join(os.homedir(), '.cache', 'node-red-contrib-mobilenet-mqtt'));
    process.env[CACHE_ENV] = '  ';
    assert.equal(cacheDir(), path.join(os.homedir(), '.cache', 'node-red-contrib-mobilenet-mqtt'));
  });
});
