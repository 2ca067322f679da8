import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectAsync } from 'mqtt';
import { FramePublisher, FrameSubscriber, LabelPublisher, type FrameMessage } from '../../src/mqtt';
import { readImage } from '../fixtures';
import { onTeardown, sleep, waitFor } from '../helpers';
import { startMosquitto } from './helpers/brokers';
import { MOSQUITTO_MISSING } from './helpers/test-broker';

/** The fleet ACL exactly as the README documents it (the first code block under "TLS, per-device credentials"). */
function readmeAcl(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### TLS, per-device credentials and ACLs'));
  const block = /```\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README has the fleet ACL');
  return block[1];
}

const users = { gate: 'g-secret', yard: 'y-secret', 'member-1': 'm-secret', homeassistant: 'h-secret' };
const jpeg = readImage('parrot.jpg');

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('the README fleet ACL in Mosquitto 2', () => it.skip(missing, () => undefined));
} else {
  describe('the README fleet ACL in Mosquitto 2', function () {
    this.timeout(30000);

    it('a camera publishes only its own frames, a member only reads frames and publishes labels', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-acl-'));
      onTeardown('acl dir', () => fs.rmSync(dir, { recursive: true, force: true }));
      const aclFile = path.join(dir, 'acl');
      fs.writeFileSync(aclFile, readmeAcl());
      const broker = await startMosquitto({ users, listenerLines: [`acl_file ${aclFile}`] });
      onTeardown('broker', () => broker.dispose());
      const url = broker.url;

      const labels = new LabelPublisher(
        { url, username: 'member-1', password: users['member-1'], protocolVersion: 5 },
        { statsIntervalMs: 0, member: 'member-1' },
      );
      onTeardown('labels', () => labels.close({ timeoutMs: 500 }));
      const frames: FrameMessage[] = [];
      const member = new FrameSubscriber(
        { url, username: 'member-1', password: users['member-1'], clientId: 'member-1' },
        { topic: '$share/classifiers/mobilenet/+/frame', maxAgeMs: 0 },
        async (frame) => {
          frames.push(frame);
          await labels.publishDelivered({
            source: frame.source,
            seq: frame.seq,
            ts: frame.ts,
            predictions: [{ label: 'macaw', score: 0.9, index: 88 }],
          });
        },
      );
      onTeardown('member', () => member.close(500));
      const ha = await connectAsync(url, {
        username: 'homeassistant',
        password: users.homeassistant,
        protocolVersion: 5,
      });
      onTeardown('home assistant', () => ha.endAsync(true));
      const seen: string[] = [];
      ha.on('message', (topic) => seen.push(topic));
      await ha.subscribeAsync(['mobilenet/+/label', 'mobilenet/+/labels', 'mobilenet/+/frame'], { qos: 1 });
      await Promise.all([labels.waitUntilConnected(), member.waitUntilConnected()]);
      await sleep(300);

      const gate = new FramePublisher({ url, username: 'gate', password: users.gate }, { qos: 1 });
      onTeardown('gate camera', () => gate.close());
      await gate.waitUntilConnected();
      await gate.publish({ source: 'gate', seq: 1, ts: Date.now(), jpeg });
      // The gate camera pretends to be the yard camera: dropped by the broker.
      await gate.publish({ source: 'yard', seq: 99, ts: Date.now(), jpeg });
      // The member forges a frame: dropped too.
      const forger = new FramePublisher({ url, username: 'member-1', password: users['member-1'] }, { qos: 1 });
      onTeardown('forger', () => forger.close());
      await forger.waitUntilConnected();
      await forger.publish({ source: 'gate', seq: 2, ts: Date.now(), jpeg });

      await waitFor(() => seen.includes('mobilenet/gate/labels'), { what: () => `the gate's labels, saw ${seen}` });
      await sleep(500); // time for anything the broker should have dropped
      assert.deepEqual(
        frames.map((f) => `${f.source}#${f.seq}`),
        ['gate#1'],
        'only the camera publishing its own source reaches the pool',
      );
      assert.deepEqual(
        [...new Set(seen)].sort(),
        ['mobilenet/gate/label', 'mobilenet/gate/labels'],
        'Home Assistant sees labels, never frames',
      );
    });
  });
}
