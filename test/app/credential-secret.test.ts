import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { credentialSecret, SECRET_FILE } from '../../app/credential-secret';
import { decryptCredentials, encryptCredentials, isEncrypted } from '../../app/flow-credentials';
import { ownerOnlyStorage } from '../../app/owner-only-storage';

const mode = (file: string): number => fs.statSync(file).mode & 0o777;

describe('npm start: the credential secret and the files holding secrets', function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-secret-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(
    'generates a secret once per installation, mode 0600 from creation even under umask 000, and ' + 'keeps it',
    function () {
      const umask = process.umask(0);
      try {
        const first = credentialSecret(dir, {});
        assert.equal(first.origin, 'generated');
        assert.match(first.secret, /^[0-9a-f]{64}$/);
        assert.equal(mode(path.join(dir, SECRET_FILE)), 0o600);
        const again = credentialSecret(dir, {});
        assert.deepEqual({ ...again, origin: 'file' }, { ...first, origin: 'file' });
        assert.equal(again.origin, 'file');
        assert.notEqual(
          credentialSecret(fs.mkdtempSync(path.join(dir, 'other-')), {}).secret,
          first.secret,
          'each installation its own',
        );
        assert.deepEqual(
          fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
          [],
          'no temporary file left behind',
        );
      } finally {
        process.umask(umask);
      }
    },
  );

  it('takes NODE_RED_CREDENTIAL_SECRET when set, and then writes no file', function () {
    assert.deepEqual(credentialSecret(dir, { NODE_RED_CREDENTIAL_SECRET: 's3cret' }), {
      secret: 's3cret',
      origin: 'NODE_RED_CREDENTIAL_SECRET',
      file: path.join(dir, SECRET_FILE),
    });
    assert.equal(fs.existsSync(path.join(dir, SECRET_FILE)), false);
  });

  it('tightens a kept secret file that lost its mode, and refuses an empty one saying what to do', function () {
    fs.writeFileSync(path.join(dir, SECRET_FILE), 'abc\n', { mode: 0o644 });
    fs.chmodSync(path.join(dir, SECRET_FILE), 0o644);
    assert.equal(credentialSecret(dir, {}).secret, 'abc');
    assert.equal(mode(path.join(dir, SECRET_FILE)), 0o600);
    fs.writeFileSync(path.join(dir, SECRET_FILE), '  \n');
    assert.throws(
      () => credentialSecret(dir, {}),
      /\.credential-secret is empty: delete it to have a new credential secret generated/,
    );
  });

  it("never writes through a file or link planted under the secret file's name", function () {
    const target = path.join(dir, 'elsewhere');
    fs.writeFileSync(target, 'untouched');
    fs.chmodSync(target, 0o644);
    fs.symlinkSync(target, path.join(dir, SECRET_FILE));
    // The link exists, so nothing is created; reading follows it, but the target was not written.
    assert.equal(credentialSecret(dir, {}).secret, 'untouched');
    assert.equal(fs.readFileSync(target, 'utf8'), 'untouched');
    assert.equal(mode(target), 0o644, 'nor its mode changed through the link');
  });

  it(
    "Node-RED's file storage, wrapped: what an editor deploy saves is encrypted (even if handed over in plain text) " +
      'and 0600, with its backup',
    async function () {
      fs.chmodSync(dir, 0o700);
      const storage = ownerOnlyStorage(dir, 'the secret') as unknown as {
        init(settings: object, runtime: object): Promise<void>;
        saveCredentials(c: object): Promise<void>;
        saveFlows(f: object): Promise<void>;
        saveSessions(s: object): Promise<void>;
        getCredentials(): Promise<unknown>;
      };
      const util = require('@node-red/util') as { log: object; events: object };
      await storage.init(
        { userDir: dir, flowFile: 'flows.json', editorTheme: {}, getUserSettings: () => ({}) },
        { log: util.log, events: util.events },
      );
      // Before Node-RED has loaded its key it hands credentials over as they are.
      await storage.saveCredentials({ mobilenet_broker: { user: 'u', password: 'first' } });
      await storage.saveCredentials(
        encryptCredentials('the secret', { mobilenet_broker: { user: 'u', password: 'second' } }),
      );
      await storage.saveFlows([{ id: 't', type: 'tab' }]);
      await storage.saveFlows([{ id: 't', type: 'tab' }]);
      // Editor login tokens, once the editor has a login.
      await storage.saveSessions({ token: { user: 'admin', expires: Date.now() + 60_000 } });
      for (const file of [
        'flows_cred.json',
        '.flows_cred.json.backup',
        'flows.json',
        '.flows.json.backup',
        '.sessions.json',
      ])
        assert.equal(mode(path.join(dir, file)), 0o600, file);
      const stored = JSON.parse(fs.readFileSync(path.join(dir, 'flows_cred.json'), 'utf8')) as unknown;
      const backup = JSON.parse(fs.readFileSync(path.join(dir, '.flows_cred.json.backup'), 'utf8')) as unknown;
      assert.ok(isEncrypted(stored) && isEncrypted(backup), 'both encrypted');
      assert.deepEqual(decryptCredentials('the secret', stored), {
        mobilenet_broker: { user: 'u', password: 'second' },
      });
      assert.deepEqual(decryptCredentials('the secret', backup), {
        mobilenet_broker: { user: 'u', password: 'first' },
      });
      assert.deepEqual(await storage.getCredentials(), stored);
    },
  );
});
