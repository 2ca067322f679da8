import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrokerSettings } from '../../src/mqtt';
import { distNode, helper } from '../helpers/node-red';

const SOURCE_DIR = path.join(__dirname, '..', '..', '..', 'nodes', 'mobilenet-mqtt-broker');
const brokerNode = distNode('mobilenet-mqtt-broker');
const brokerOf = (id: string): { brokerSettings(): BrokerSettings } =>
  helper.getNode(id) as unknown as { brokerSettings(): BrokerSettings };

describe('mobilenet-mqtt-broker node', () => {
  beforeEach(() => helper.startServer());
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
  });

  it('hands credentials and editor settings to the publisher', async () => {
    await helper.load(
      [brokerNode],
      [
        {
          id: 'b1',
          type: 'mobilenet-mqtt-broker',
          url: 'mqtts://broker.lan:8883',
          clientId: 'pi',
          keepalive: '15',
          cleanSession: false,
          protocol: '5',
          verifyTls: false,
        },
      ],
      {
        b1: { user: 'camera', password: 'pw-in-credentials' },
      },
    );
    const s = brokerOf('b1').brokerSettings();
    assert.deepEqual(
      {
        url: s.url,
        clientId: s.clientId,
        keepalive: s.keepalive,
        clean: s.clean,
        protocolVersion: s.protocolVersion,
        username: s.username,
        password: s.password,
        rejectUnauthorized: s.rejectUnauthorized,
      },
      {
        url: 'mqtts://broker.lan:8883',
        clientId: 'pi',
        keepalive: 15,
        clean: false,
        protocolVersion: 5,
        username: 'camera',
        password: 'pw-in-credentials',
        rejectUnauthorized: false,
      },
    );
  });

  it('names the TLS file it cannot read and the URL schemes it accepts', async () => {
    await helper.load(
      [brokerNode],
      [
        { id: 'b1', type: 'mobilenet-mqtt-broker', url: 'mqtts://h:8883', caFile: '/nonexistent/ca.crt' },
        { id: 'b2', type: 'mobilenet-mqtt-broker', url: 'tcp://h:1883' },
      ],
    );
    assert.throws(() => brokerOf('b1').brokerSettings(), /cannot read the CA certificate file "\/nonexistent\/ca.crt"/);
    assert.throws(() => brokerOf('b2').brokerSettings(), /use one of mqtt:\/\/, mqtts:\/\/, ws:\/\/, wss:\/\//);
  });

  it('declares username and password as credentials in the editor too', () => {
    const html = fs.readFileSync(path.join(SOURCE_DIR, 'mobilenet-mqtt-broker.html'), 'utf8');
    assert.match(
      html,
      /credentials:\s*\{\s*user:\s*\{\s*type:\s*'text'\s*\},\s*password:\s*\{\s*type:\s*'password'\s*\}/,
    );
    assert.doesNotMatch(html.split('credentials:')[0], /password/, 'password must not be a plain default');
  });
});
