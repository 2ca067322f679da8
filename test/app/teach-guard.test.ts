import assert from 'node:assert/strict';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { RateLimitedLog } from '../../app/rate-limited-log';
import { readTeachToken, teachGuard } from '../../app/teach-guard';
import { rawRequest } from './helpers/app-process';

const TOKEN = 'a-token-long-enough-1234';

describe('app teach guard (label endpoints of npm start)', () => {
  let server: http.Server;
  let port: number;
  const logged: string[] = [];

  before(async () => {
    const app = express();
    const log = new RateLimitedLog((line) => logged.push(line), 'refused requests', 0);
    app.use(['/teach', '/labels'], teachGuard({ port: 0, remote: true, extraHosts: [], log, token: TOKEN }));
    app.all(/.*/, (_req, res) => {
      res.json({ reached: true });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    server.close();
  });

  const get = (headers: Record<string, string>, path = '/labels') => rawRequest(port, { method: 'GET', path, headers });

  it('lets a program on this machine in without a token', async () => {
    assert.equal((await get({})).status, 200);
    assert.equal((await get({ origin: `http://127.0.0.1:${port}` })).status, 200, 'its own page');
  });

  it('refuses pages of other sites, other names (DNS rebinding) and cross-site fetches', async () => {
    assert.equal((await get({ origin: 'http://evil.example' })).status, 403);
    assert.equal((await get({ host: `evil.example:${port}` })).status, 403);
    assert.equal((await get({ 'sec-fetch-site': 'cross-site' })).status, 403);
    const preflight = await rawRequest(port, {
      method: 'OPTIONS',
      path: '/teach',
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.ok(logged.some((line) => /labels: refused a request/.test(line)));
  });

  it('treats a caller relayed by a proxy as another machine: the token or nothing', async () => {
    const relayed = { 'x-forwarded-for': '192.0.2.7' };
    const without = await get(relayed);
    assert.equal(without.status, 401);
    assert.match(without.headers['www-authenticate'] ?? '', /^Bearer/);
    assert.equal((await get({ ...relayed, authorization: 'Bearer wrong-token-wrong-token' })).status, 401);
    assert.equal((await get({ ...relayed, authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await get({ forwarded: 'for=192.0.2.7' })).status, 401);
    assert.ok(
      logged.every((line) => !line.includes(TOKEN)),
      'the token is never logged',
    );
  });

  it('guards only the label endpoints', async () => {
    assert.equal((await get({ origin: 'http://evil.example' }, '/classify')).status, 200);
    assert.equal((await get({ origin: 'http://evil.example' }, '/labels/review')).status, 403);
  });

  it('reads TEACH_TOKEN once, refusing a short one, and takes it out of the environment', () => {
    const env: NodeJS.ProcessEnv = { TEACH_TOKEN: TOKEN };
    assert.equal(readTeachToken(env), TOKEN);
    assert.equal(env.TEACH_TOKEN, undefined);
    assert.equal(readTeachToken({}), undefined);
    assert.throws(() => readTeachToken({ TEACH_TOKEN: 'short' }), /at least 16 characters/);
  });
});
