import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SECRET_FILE } from '../../app/credential-secret';
import { decryptCredentials, isEncrypted } from '../../app/flow-credentials';
import { V1_025_LAYERS_DIR, readImage } from '../fixtures';
import { MOSQUITTO, MOSQUITTO_PASSWD, freePort, startAedes, startMosquitto } from '../mqtt/helpers/brokers';
import { RecordingSubscriber } from '../mqtt/helpers/subscriber';

const REPO = path.resolve(__dirname, '..', '..', '..');

interface Job {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL if it is still there after 6 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Spawns the main job as systemd runs it (node dist/app/start.js) and waits until it serves. */
async function startJob(env: Record<string, string>): Promise<Job> {
  let output = '';
  const child = spawn(process.execPath, [path.join(REPO, 'dist', 'app', 'start.js')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MOBILENET_MODEL: V1_025_LAYERS_DIR,
      PORT: String(await freePort()),
      BROKER_PORT: String(await freePort()),
      MQTT_PREFIX: 'creds',
      ...env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  while (!/POST http/.test(output)) {
    if (child.exitCode !== null) throw new Error(`the job exited early (${child.exitCode}):\n${output}`);
    if (Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`the job did not come up in 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const overdue = setTimeout(() => child.kill('SIGKILL'), 6000);
      await exited;
      clearTimeout(overdue);
    },
  };
}

const mode = (file: string): string => (fs.statSync(file).mode & 0o777).toString(8);

/** flows_cred.json as the job left it: must be Node-RED's encrypted form, decrypted with `secret`. */
function storedCredentials(userDir: string, secret: string): unknown {
  const text = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
  const stored: unknown = JSON.parse(text);
  assert.ok(isEncrypted(stored), `flows_cred.json is not encrypted: ${text}`);
  return decryptCredentials(secret, stored);
}

/** Logins with every character a URL or a log line could trip over. */
const NASTY_PASSWORD = 'p@ss:w/rd#1%20 ü✓@x';

describe('npm start: credentials at rest', function () {
  this.timeout(300_000);

  it(
    'restarted 10 times in one userDir, with mqtts:// and mqtt:// URLs, flows_cred.json is always encrypted with ' +
      'the generated secret, and every file holding a secret is 0600',
    async function () {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-creds-'));
      const userDir = path.join(work, 'node-red');
      const broker = await startAedes({ authenticate: (_client, _username, _password, done) => done(null, true) });
      // mqtts:// to a port where nothing answers: the flow starts and retries, as a TLS broker that is down.
      const closedPort = await freePort();
      let secret: string | undefined;
      const seen: string[] = [];
      try {
        for (let start = 0; start < 10; start++) {
          const user = `user-${start}`;
          const password = `${NASTY_PASSWORD}-${start}`;
          const url = start % 2 === 0 ? `mqtts://127.0.0.1:${closedPort}` : broker.url;
          const job = await startJob({
            NODE_RED_USER_DIR: userDir,
            FRAMES_DIR: path.join(work, 'frames'),
            MQTT_URL: url,
            MQTT_USERNAME: user,
            MQTT_PASSWORD: password,
          });
          try {
            const secretFile = path.join(userDir, SECRET_FILE);
            const current = fs.readFileSync(secretFile, 'utf8').trim();
            assert.match(current, /^[0-9a-f]{64}$/, 'a generated secret: 32 random bytes');
            if (secret !== undefined)
              assert.equal(current, secret, 'generated once per installation, kept across starts');
            secret = current;
            assert.deepEqual(
              storedCredentials(userDir, secret),
              { mobilenet_broker: { user, password } },
              `start ${start}`,
            );
            seen.push(JSON.parse(fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8')).$);
            assert.equal(mode(secretFile), '600');
            assert.equal(mode(path.join(userDir, 'flows_cred.json')), '600');
            assert.equal(mode(path.join(userDir, 'flows.json')), '600');
            assert.equal(mode(userDir), '700');
            assert.ok(
              !fs.existsSync(path.join(userDir, '.flows_cred.json.backup')) ||
                mode(path.join(userDir, '.flows_cred.json.backup')) === '600',
            );
            const runtimeConfig = path.join(userDir, '.config.runtime.json');
            if (fs.existsSync(runtimeConfig))
              assert.ok(
                !/_credentialSecret/.test(fs.readFileSync(runtimeConfig, 'utf8')),
                'Node-RED generated no secret of its own',
              );
            for (const file of fs.readdirSync(userDir).filter((f) => f.endsWith('.json'))) {
              assert.ok(
                !fs.readFileSync(path.join(userDir, file), 'utf8').includes('ss:w'),
                `${file} holds the password in plain text`,
              );
            }
            assert.ok(!job.output().includes(current), 'the secret is never printed');
            assert.match(
              job.output(),
              new RegExp(
                `credentials: encrypted in flows_cred.json with the secret (generated into|kept in) ` +
                  `${secretFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
              ),
            );
          } finally {
            await job.stop();
          }
          // Node-RED itself may save on the way down: still encrypted, still right.
          assert.deepEqual(
            storedCredentials(userDir, secret),
            { mobilenet_broker: { user, password } },
            `after stop ${start}`,
          );
        }
        assert.equal(new Set(seen).size, seen.length, 'a fresh IV at every start');
      } finally {
        await broker.stop();
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  );

  it(
    'NODE_RED_CREDENTIAL_SECRET, when set, is the key at every restart, and no secret file is ' + 'written',
    async function () {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-creds-env-'));
      const userDir = path.join(work, 'node-red');
      try {
        let output = '';
        for (let start = 0; start < 3; start++) {
          const password = `wonderland-${start}`;
          const job = await startJob({
            NODE_RED_USER_DIR: userDir,
            FRAMES_DIR: path.join(work, 'frames'),
            MQTT_URL: `mqtts://127.0.0.1:${await freePort()}`,
            MQTT_USERNAME: 'alice',
            MQTT_PASSWORD: password,
            NODE_RED_CREDENTIAL_SECRET: 'from the environment',
          });
          try {
            // Before the fix the second start wrote them in plain text (set before Node-RED's encryption was ready).
            assert.deepEqual(
              storedCredentials(userDir, 'from the environment'),
              { mobilenet_broker: { user: 'alice', password } },
              `start ${start}`,
            );
            assert.equal(fs.existsSync(path.join(userDir, SECRET_FILE)), false);
            output = job.output();
          } finally {
            await job.stop();
          }
        }
        assert.match(output, /credentials: encrypted in flows_cred\.json with NODE_RED_CREDENTIAL_SECRET/);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  );

  it(
    'a deploy from the editor is stored encrypted with the same secret, flows_cred.json, flows.json and their ' +
      'backups 0600',
    async function () {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-creds-deploy-'));
      const userDir = path.join(work, 'node-red');
      const port = await freePort();
      try {
        const job = await startJob({
          NODE_RED_USER_DIR: userDir,
          FRAMES_DIR: path.join(work, 'frames'),
          PORT: String(port),
          MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
          MQTT_USERNAME: 'alice',
          MQTT_PASSWORD: 'before',
        });
        try {
          const flows = (await (await fetch(`http://127.0.0.1:${port}/flows`)).json()) as Array<
            Record<string, unknown>
          >;
          const edited = flows.map((n) =>
            n.id === 'mobilenet_broker' ? { ...n, credentials: { user: 'bob', password: 'after the deploy' } } : n,
          );
          const deploy = await fetch(`http://127.0.0.1:${port}/flows`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
            body: JSON.stringify(edited),
          });
          assert.ok(deploy.ok, `deploy answered ${deploy.status}: ${await deploy.text()}`);
          const secret = fs.readFileSync(path.join(userDir, SECRET_FILE), 'utf8').trim();
          await new Promise((resolve) => setTimeout(resolve, 500));
          assert.deepEqual(storedCredentials(userDir, secret), {
            mobilenet_broker: { user: 'bob', password: 'after the deploy' },
          });
          for (const file of ['flows_cred.json', '.flows_cred.json.backup', 'flows.json', '.flows.json.backup'])
            assert.equal(mode(path.join(userDir, file)), '600', file);
          const backup: unknown = JSON.parse(fs.readFileSync(path.join(userDir, '.flows_cred.json.backup'), 'utf8'));
          assert.ok(isEncrypted(backup));
          assert.deepEqual(decryptCredentials(secret, backup), {
            mobilenet_broker: { user: 'alice', password: 'before' },
          });
        } finally {
          await job.stop();
        }
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  );

  it(
    'a login inside MQTT_URL and CAMERA_URL moves into the credentials: flows.json holds no password, Mosquitto ' +
      'lets the job in, the camera answers its Basic auth',
    async function () {
      if (!MOSQUITTO || !MOSQUITTO_PASSWD) this.skip();
      const mqttPassword = `mq-${NASTY_PASSWORD}`;
      const cameraPassword = `cam-${NASTY_PASSWORD}`;
      const mosquitto = await startMosquitto({ users: { 'job user': mqttPassword, watcher: 'watcher-pw' } });
      // A snapshot camera that wants Basic auth, as most IP cameras do.
      const authorizations: string[] = [];
      const photo = readImage('parrot.jpg');
      const camera = http.createServer((req, res) => {
        const given = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
        authorizations.push(given);
        if (given !== `camera admin:${cameraPassword}`) {
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.length }).end(photo);
      });
      await new Promise<void>((resolve) => camera.listen(0, '127.0.0.1', resolve));
      const cameraPort = (camera.address() as net.AddressInfo).port;
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-creds-url-'));
      const userDir = path.join(work, 'node-red');
      const subscriber = await RecordingSubscriber.connect(mosquitto.url, ['creds/#'], {
        username: 'watcher',
        password: 'watcher-pw',
      });
      let job: Job | undefined;
      try {
        const login = (user: string, password: string): string =>
          `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
        job = await startJob({
          NODE_RED_USER_DIR: userDir,
          // The password's "@" left as typed: the login ends at the last "@".
          MQTT_URL: `mqtt://${login('job user', mqttPassword).replace(/%40/g, '@')}@127.0.0.1:${mosquitto.port}`,
          CAMERA_URL: `http://${login('camera admin', cameraPassword)}@127.0.0.1:${cameraPort}/snapshot.jpg`,
          MAX_FPS: '2',
        });
        await subscriber.waitFor((m) => m.some((x) => x.topic === 'creds/available' && x.payload === 'online'), {
          what: 'creds/available online from the job',
          timeoutMs: 30_000,
        });
        await subscriber.waitFor((m) => m.some((x) => x.topic === 'creds/camera/labels'), {
          what: 'labels from the camera',
          timeoutMs: 60_000,
        });
        const labels = JSON.parse(subscriber.on('creds/camera/labels')[0].payload) as {
          predictions: Array<{ label: string }>;
        };
        assert.equal(labels.predictions[0].label, 'macaw');
        assert.ok(authorizations.includes(`camera admin:${cameraPassword}`), JSON.stringify(authorizations));

        const flows = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
        const nodes = JSON.parse(flows) as Array<{ id: string; url?: string }>;
        assert.equal(nodes.find((n) => n.id === 'mobilenet_broker')?.url, `mqtt://127.0.0.1:${mosquitto.port}`);
        assert.equal(
          nodes.find((n) => n.id === 'mobilenet_camera')?.url,
          `http://127.0.0.1:${cameraPort}/snapshot.jpg`,
        );
        for (const fragment of ['ss:w', 'rd#1', 'ü✓', 'p%40ss', 'p@ss', 'admin', 'job%20user', 'job user'])
          assert.ok(!flows.includes(fragment), `flows.json holds "${fragment}"`);
        const secret = fs.readFileSync(path.join(userDir, SECRET_FILE), 'utf8').trim();
        assert.deepEqual(storedCredentials(userDir, secret), {
          mobilenet_broker: { user: 'job user', password: mqttPassword },
          mobilenet_camera: { user: 'camera admin', password: cameraPassword },
        });
        for (const fragment of ['ss:w', 'rd#1', 'ü✓', '%20ü'])
          assert.ok(!job.output().includes(fragment), `the log shows "${fragment}":\n${job.output()}`);
      } finally {
        await job?.stop();
        await subscriber.client.endAsync(true).catch(() => undefined);
        await new Promise<void>((resolve) => camera.close(() => resolve()));
        await mosquitto.dispose();
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
