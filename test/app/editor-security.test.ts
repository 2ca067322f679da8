import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { rawRequest, startApp, type AppProcess, type RawResponse } from './helpers/app-process';

const EVIL = 'http://evil.example';

function corsHeaders(response: RawResponse): string[] {
  return Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));
}

/** A flow with an exec node that would create `marker`: what an attacking page deploys. */
function execFlow(marker: string): string {
  return JSON.stringify([
    { id: 'evil_tab', type: 'tab', label: 'pwned' },
    {
      id: 'evil_inject',
      type: 'inject',
      z: 'evil_tab',
      once: true,
      onceDelay: 0.1,
      repeat: '',
      wires: [['evil_exec']],
    },
    {
      id: 'evil_exec',
      type: 'exec',
      z: 'evil_tab',
      command: `touch ${marker}`,
      addpay: false,
      append: '',
      useSpawn: 'false',
      wires: [[], [], []],
    },
  ]);
}

/** GET /flows as the editor's own page does, returning the node ids. */
async function flowIds(app: AppProcess, headers: Record<string, string> = {}): Promise<string[]> {
  const response = await rawRequest(app.port, {
    method: 'GET',
    path: '/flows',
    headers: { origin: `http://127.0.0.1:${app.port}`, 'sec-fetch-site': 'same-origin', ...headers },
  });
  assert.equal(response.status, 200, response.text);
  return (JSON.parse(response.text) as Array<{ id: string }>).map((node) => node.id);
}

function lanAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i !== undefined && !i.internal && i.family === 'IPv4')?.address;
}

/** Opens the editor's WebSocket as a page would: resolves 101 when upgraded, else the HTTP status. */
function openComms(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/comms',
      headers: {
        host: `127.0.0.1:${port}`,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function token(app: AppProcess, username: string, password: string): Promise<RawResponse> {
  return rawRequest(app.port, {
    method: 'POST',
    path: '/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${app.port}` },
    body: new URLSearchParams({
      client_id: 'node-red-editor',
      grant_type: 'password',
      scope: '*',
      username,
      password,
    }).toString(),
  });
}

describe(
  'npm start: the editor and admin API refuse other origins and names, and ask for a login beyond ' + 'loopback',
  function () {
    this.timeout(120_000);

    describe('loopback editor (default)', function () {
      let app: AppProcess;
      const marker = path.join(os.tmpdir(), `mobilenet-pwned-${process.pid}-${Date.now()}`);
      before(async function () {
        app = await startApp();
      });
      after(async function () {
        fs.rmSync(marker, { force: true });
        await app?.stop();
      });

      it('answers a cross-origin preflight for POST /flows without any CORS permission', async function () {
        const preflight = await rawRequest(app.port, {
          method: 'OPTIONS',
          path: '/flows',
          headers: {
            origin: EVIL,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,node-red-deployment-type',
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'cors',
          },
        });
        assert.deepEqual(corsHeaders(preflight), [], `preflight granted: ${JSON.stringify(preflight.headers)}`);
        assert.equal(preflight.status, 403);
      });

      it(
        'refuses a cross-origin POST /flows with an exec node; the flow is unchanged and nothing ' + 'runs',
        async function () {
          const before = await flowIds(app);
          const deploy = await rawRequest(app.port, {
            method: 'POST',
            path: '/flows',
            headers: {
              origin: EVIL,
              'content-type': 'application/json',
              'node-red-deployment-type': 'full',
              'sec-fetch-site': 'cross-site',
              'sec-fetch-mode': 'cors',
            },
            body: execFlow(marker),
          });
          assert.ok(deploy.status >= 400 && deploy.status < 500, `status ${deploy.status}: ${deploy.text}`);
          assert.deepEqual(corsHeaders(deploy), []);
          // The same POST as a page sends it in no-cors mode (a plain form/text body, no Origin check by the browser).
          const noCors = await rawRequest(app.port, {
            method: 'POST',
            path: '/flows',
            headers: {
              origin: EVIL,
              'content-type': 'text/plain',
              'sec-fetch-site': 'cross-site',
              'sec-fetch-mode': 'no-cors',
            },
            body: execFlow(marker),
          });
          assert.equal(noCors.status, 403);
          await new Promise((resolve) => setTimeout(resolve, 500));
          assert.deepEqual(await flowIds(app), before);
          assert.equal(fs.existsSync(marker), false, 'the exec node ran');
        },
      );

      it(
        'refuses GET /flows from a page of another origin, and from another site without an ' + 'Origin',
        async function () {
          const read = await rawRequest(app.port, {
            method: 'GET',
            path: '/flows',
            headers: { origin: EVIL, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' },
          });
          assert.equal(read.status, 403);
          assert.deepEqual(corsHeaders(read), []);
          assert.ok(!read.text.includes('mobilenet_tab'), 'the flow leaked');
          const noOrigin = await rawRequest(app.port, {
            method: 'GET',
            path: '/flows',
            headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
          });
          assert.equal(noOrigin.status, 403);
          // Another local service (another port) is another origin too.
          const otherPort = await rawRequest(app.port, {
            method: 'GET',
            path: '/flows',
            headers: { origin: `http://127.0.0.1:${app.port + 1}` },
          });
          assert.equal(otherPort.status, 403);
        },
      );

      it('refuses a foreign Host header (DNS rebinding), even when Origin matches it', async function () {
        const host = `evil.example:${app.port}`;
        const read = await rawRequest(app.port, { method: 'GET', path: '/flows', headers: { host } });
        assert.equal(read.status, 403);
        assert.ok(!read.text.includes('mobilenet_tab'));
        const deploy = await rawRequest(app.port, {
          method: 'POST',
          path: '/flows',
          headers: {
            host,
            origin: `http://${host}`,
            'content-type': 'application/json',
            'node-red-deployment-type': 'full',
            'sec-fetch-site': 'same-origin',
          },
          body: execFlow(marker),
        });
        assert.equal(deploy.status, 403);
        assert.equal(
          (await rawRequest(app.port, { method: 'GET', path: '/', headers: { host } })).status,
          403,
          'nor the editor page',
        );
        // Each refusal is worth a line, but a page repeating them must not flood the journal.
        const refusalLines = app
          .output()
          .split('\n')
          .filter((line) => line.includes('editor: refused a request'));
        assert.ok(
          refusalLines.length >= 1 && refusalLines.length <= 2,
          `${refusalLines.length} lines for about ten refusals in a few seconds:\n${refusalLines.join('\n')}`,
        );
      });

      it(
        'refuses the editor WebSocket (/comms: debug messages, status) to pages of other origins and names, opens it ' +
          'to its own',
        async function () {
          assert.equal(await openComms(app.port, { origin: EVIL }), 403);
          assert.equal(
            await openComms(app.port, { host: `evil.example:${app.port}`, origin: `http://evil.example:${app.port}` }),
            403,
          );
          assert.equal(await openComms(app.port, { origin: `http://127.0.0.1:${app.port}` }), 101);
        },
      );

      it(
        'still serves the editor itself: its page, GET and POST /flows same-origin, by 127.0.0.1, localhost and ' +
          '[::1], with no CORS headers',
        async function () {
          for (const host of [
            `127.0.0.1:${app.port}`,
            `localhost:${app.port}`,
            `[::1]:${app.port}`,
            'localhost:8080' /* an SSH tunnel on another local port */,
          ]) {
            const page = await rawRequest(app.port, {
              method: 'GET',
              path: '/',
              headers: { host, 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
            });
            assert.equal(page.status, 200, `${host}: ${page.text.slice(0, 200)}`);
            assert.match(page.text, /Node-RED/);
            assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
          }
          const flows = await rawRequest(app.port, {
            method: 'GET',
            path: '/flows',
            headers: {
              origin: `http://127.0.0.1:${app.port}`,
              'sec-fetch-site': 'same-origin',
              'node-red-api-version': 'v2',
            },
          });
          assert.equal(flows.status, 200);
          assert.deepEqual(corsHeaders(flows), []);
          const current = JSON.parse(flows.text) as { rev: string; flows: unknown[] };
          // Deploying the same flow again ("flows": only changed ones restart, i.e. none).
          const deploy = await rawRequest(app.port, {
            method: 'POST',
            path: '/flows',
            headers: {
              origin: `http://127.0.0.1:${app.port}`,
              'sec-fetch-site': 'same-origin',
              'content-type': 'application/json',
              'node-red-api-version': 'v2',
              'node-red-deployment-type': 'flows',
            },
            body: JSON.stringify(current),
          });
          assert.equal(deploy.status, 200, deploy.text);
          assert.deepEqual(corsHeaders(deploy), []);
        },
      );
    });

    describe('EDITOR_REMOTE=1', function () {
      it(
        'asks for a login: generated once, printed once, kept only as a bcrypt hash in a 0600 file; 401 without it, ' +
          'the API with it',
        async function () {
          const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-login-'));
          try {
            const first = await startApp({ EDITOR_REMOTE: '1', NODE_RED_USER_DIR: userDir });
            let password: string;
            try {
              const printed = /editor login generated: user "admin", password (\S+)/.exec(first.output());
              assert.ok(printed, first.output());
              password = printed[1];
              assert.ok(password.length >= 20);
              const file = path.join(userDir, 'editor-login.json');
              assert.equal(fs.statSync(file).mode & 0o777, 0o600);
              assert.ok(!fs.readFileSync(file, 'utf8').includes(password), 'the password itself is stored');
              assert.equal(
                fs.statSync(userDir).mode & 0o077,
                0,
                'the user dir (sessions, credentials) is closed to others',
              );

              const anonymous = await rawRequest(first.port, { method: 'GET', path: '/flows' });
              assert.equal(anonymous.status, 401);
              const deploy = await rawRequest(first.port, {
                method: 'POST',
                path: '/flows',
                headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
                body: '[]',
              });
              assert.equal(deploy.status, 401);
              assert.equal((await token(first, 'admin', 'wrong-password-123')).status, 403);
              const granted = await token(first, 'admin', password);
              assert.equal(granted.status, 200, granted.text);
              const bearer = (JSON.parse(granted.text) as { access_token: string }).access_token;
              assert.ok((await flowIds(first, { authorization: `Bearer ${bearer}` })).includes('mobilenet_tab'));
              // Reached by this machine's network address, as another host would.
              const lan = lanAddress();
              if (lan) {
                const remote = await fetch(`http://${lan}:${first.port}/flows`, {
                  headers: { authorization: `Bearer ${bearer}` },
                });
                assert.equal(remote.status, 200);
                assert.equal((await fetch(`http://${lan}:${first.port}/flows`)).status, 401);
              }
              // A login does not open the API to other origins or names.
              const crossOrigin = await rawRequest(first.port, {
                method: 'GET',
                path: '/flows',
                headers: { authorization: `Bearer ${bearer}`, origin: EVIL },
              });
              assert.equal(crossOrigin.status, 403);
              const rebound = await rawRequest(first.port, {
                method: 'GET',
                path: '/flows',
                headers: { authorization: `Bearer ${bearer}`, host: `evil.example:${first.port}` },
              });
              assert.equal(rebound.status, 403);
              for (const file of ['flows.json', 'flows_cred.json', '.sessions.json']) {
                const where = path.join(userDir, file);
                if (fs.existsSync(where))
                  assert.ok(!fs.readFileSync(where, 'utf8').includes(password), `the password is in ${file}`);
              }
            } finally {
              await first.stop();
            }
            assert.equal(first.output().split(password).length - 1, 1, 'the password is printed exactly once');

            const second = await startApp({ EDITOR_REMOTE: '1', NODE_RED_USER_DIR: userDir });
            try {
              assert.ok(!second.output().includes(password), 'a later start prints the password again');
              assert.doesNotMatch(second.output(), /editor login generated/);
              assert.equal((await token(second, 'admin', password)).status, 200, 'the stored login still works');
            } finally {
              await second.stop();
            }
          } finally {
            fs.rmSync(userDir, { recursive: true, force: true });
          }
        },
      );

      it(
        'takes the login from EDITOR_USERNAME / EDITOR_PASSWORD and never prints or stores the ' + 'password',
        async function () {
          const password = 'correct-horse-battery-staple';
          const app = await startApp({ EDITOR_REMOTE: '1', EDITOR_USERNAME: 'keeper', EDITOR_PASSWORD: password });
          try {
            assert.equal((await rawRequest(app.port, { method: 'GET', path: '/flows' })).status, 401);
            assert.equal((await token(app, 'keeper', 'not-the-password')).status, 403);
            assert.equal((await token(app, 'keeper', password)).status, 200);
            assert.ok(!fs.existsSync(path.join(app.userDir, 'editor-login.json')), 'nothing generated');
            for (const file of fs.readdirSync(app.userDir)) {
              const where = path.join(app.userDir, file);
              if (fs.statSync(where).isFile())
                assert.ok(!fs.readFileSync(where, 'utf8').includes(password), `the password is in ${file}`);
            }
            assert.ok(!app.output().includes(password));
            assert.match(app.output(), /login as "keeper" with EDITOR_PASSWORD/);
          } finally {
            await app.stop();
          }
        },
      );
    });
  },
);
