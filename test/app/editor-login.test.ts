import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import bcrypt from 'bcryptjs';
import { EDITOR_LOGIN_FILE, editorLogin } from '../../app/editor-login';

describe('editorLogin (EDITOR_USERNAME, EDITOR_PASSWORD, the generated login)', function () {
  let userDir: string;
  beforeEach(() => (userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-editor-login-'))));
  afterEach(() => fs.rmSync(userDir, { recursive: true, force: true }));

  const users = (
    login: ReturnType<typeof editorLogin>,
  ): Array<{ username: string; password: string; permissions: string }> =>
    (login?.adminAuth as { users: Array<{ username: string; password: string; permissions: string }> } | undefined)
      ?.users ?? [];

  it('no login on loopback unless EDITOR_PASSWORD asks for one; nothing written', function () {
    assert.equal(editorLogin({ env: {}, userDir, remote: false, announce: () => assert.fail('announced') }), undefined);
    assert.deepEqual(fs.readdirSync(userDir), []);
  });

  it(
    'EDITOR_PASSWORD: a bcrypt hash in adminAuth, the password taken out of the environment, never ' + 'announced',
    function () {
      const env: NodeJS.ProcessEnv = { EDITOR_PASSWORD: 'a long enough secret', EDITOR_USERNAME: 'keeper' };
      const login = editorLogin({ env, userDir, remote: false, announce: () => assert.fail('announced') });
      assert.equal(env.EDITOR_PASSWORD, undefined, 'child processes (camera command, exec nodes) would inherit it');
      const [user] = users(login);
      assert.equal(user.username, 'keeper');
      assert.equal(user.permissions, '*');
      assert.ok(bcrypt.compareSync('a long enough secret', user.password));
      assert.ok(!JSON.stringify(login).includes('a long enough secret'));
    },
  );

  it('refuses a short EDITOR_PASSWORD and an odd EDITOR_USERNAME, naming the rule', function () {
    assert.throws(
      () => editorLogin({ env: { EDITOR_PASSWORD: 'short' }, userDir, remote: true, announce: () => undefined }),
      /EDITOR_PASSWORD must be at least 10 characters/,
    );
    assert.throws(
      () =>
        editorLogin({
          env: { EDITOR_USERNAME: 'a b', EDITOR_PASSWORD: 'long enough secret' },
          userDir,
          remote: true,
          announce: () => undefined,
        }),
      /EDITOR_USERNAME must be/,
    );
  });

  it(
    'remote without EDITOR_PASSWORD: generates once (announced once, hash in a 0600 file), then ' + 'reuses it',
    function () {
      const said: string[] = [];
      const first = editorLogin({ env: {}, userDir, remote: true, announce: (line) => said.push(line) });
      assert.equal(said.length, 1);
      const password = /password (\S+)/.exec(said[0])?.[1] as string;
      assert.ok(bcrypt.compareSync(password, users(first)[0].password));
      const file = path.join(userDir, EDITOR_LOGIN_FILE);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.ok(!fs.readFileSync(file, 'utf8').includes(password));
      const second = editorLogin({ env: {}, userDir, remote: true, announce: (line) => said.push(line) });
      assert.equal(said.length, 1, 'announced again');
      assert.equal(users(second)[0].password, users(first)[0].password);
    },
  );

  it('a damaged login file is an error saying how to recover, not a silent new password', function () {
    fs.writeFileSync(path.join(userDir, EDITOR_LOGIN_FILE), '{"username": "admin"');
    assert.throws(
      () => editorLogin({ env: {}, userDir, remote: true, announce: () => undefined }),
      /delete it to generate a new password, or set EDITOR_PASSWORD/,
    );
  });
});
