import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectAsync } from 'mqtt';
import { LabelPublisher, type TeachCommand } from '../../src/mqtt';
import { sleep, waitFor } from '../helpers';
import { startMosquitto } from './helpers/brokers';
import { MOSQUITTO_MISSING } from './helpers/test-broker';

/** The ACL exactly as the README documents it (the code block under "Who may teach"). */
function readmeAcl(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Who may teach'));
  const block = /```\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README has the ACL example');
  return block[1];
}

const users = { nodered: 'n-secret', homeassistant: 'h-secret', viewer: 'v-secret' };

const missing = MOSQUITTO_MISSING;
if (missing !== undefined) {
  describe('the README teach ACL in Mosquitto 2', () => it.skip(missing, () => undefined));
} else {
  describe('the README teach ACL in Mosquitto 2', function () {
    this.timeout(20000);

    it('lets Home Assistant teach and drops a teach command from any other user', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acl-'));
      const aclFile = path.join(dir, 'acl');
      fs.writeFileSync(aclFile, readmeAcl());
      const broker = await startMosquitto({ users, listenerLines: [`acl_file ${aclFile}`] });
      const closing: Array<() => Promise<unknown>> = [() => broker.dispose()];
      try {
        const url = broker.url;
        const p = new LabelPublisher(
          { url, username: 'nodered', password: users.nodered },
          { statsIntervalMs: 0, teach: true },
        );
        closing.unshift(() => p.close({ timeoutMs: 1000 }));
        const taught: TeachCommand[] = [];
        p.on('teach', (c) => taught.push(c));
        await p.waitUntilConnected();
        p.publishState('camera', { state: 'open', previous: null, changedAt: Date.now(), score: 0.9 });

        const viewer = await connectAsync(url, { username: 'viewer', password: users.viewer });
        closing.unshift(() => viewer.endAsync(true));
        const seen: string[] = [];
        viewer.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
        await viewer.subscribeAsync('mobilenet/camera/state', { qos: 1 });
        await viewer.publishAsync('mobilenet/camera/teach', '{"label": "closed"}', { qos: 1 });

        const ha = await connectAsync(url, { username: 'homeassistant', password: users.homeassistant });
        closing.unshift(() => ha.endAsync(true));
        await ha.publishAsync('mobilenet/camera/teach', '{"label": "open"}', { qos: 1 });
        await waitFor(() => taught.length > 0, { what: "Home Assistant's teach command" });
        await sleep(300); // time for the viewer's command, had the broker let it through
        assert.deepEqual(taught, [{ source: 'camera', label: 'open' }], "only Home Assistant's command arrives");
        assert.deepEqual(seen, ['mobilenet/camera/state open'], 'the viewer still reads the state');
      } finally {
        for (const close of closing) await close();
      }
    });
  });
}
