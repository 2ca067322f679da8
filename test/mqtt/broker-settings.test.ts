import assert from 'node:assert/strict';
import { buildClientOptions, describeConnectionError, parseProtocolVersion } from '../../src/mqtt/broker-settings';
import { MqttConfigError } from '../../src/mqtt/errors';

const will = { topic: 'mobilenet/available', payload: 'offline', qos: 1 as const, retain: true };

describe('mqtt/broker-settings', () => {
  it('accepts the four URL schemes and names them when another is given', () => {
    for (const url of ['mqtt://h:1883', 'mqtts://h:8883', 'ws://h/mqtt', 'wss://h/mqtt'])
      assert.ok(buildClientOptions({ url }, will));
    assert.throws(
      () => buildClientOptions({ url: 'http://h' }, will),
      /use one of mqtt:\/\/, mqtts:\/\/, ws:\/\/, wss:\/\//,
    );
    assert.throws(() => buildClientOptions({ url: 'not a url' }, will), MqttConfigError);
  });

  it('maps editor spellings of the protocol version', () => {
    assert.equal(parseProtocolVersion('3.1.1'), 4);
    assert.equal(parseProtocolVersion('5'), 5);
    assert.throws(() => parseProtocolVersion('3.1'), /"3.1.1" \(4\) or "5"/);
  });

  it('sets the last will and keeps mqtt.js from queueing QoS 0 while offline', () => {
    const o = buildClientOptions({ url: 'mqtt://h', clientId: 'cam', keepalive: 30, clean: false }, will);
    assert.equal(o.clientId, 'cam');
    assert.equal(o.keepalive, 30);
    assert.equal(o.clean, false);
    assert.equal(o.queueQoSZero, false);
    assert.deepEqual({ ...o.will, payload: o.will?.payload.toString() }, { ...will });
  });

  it('never lets the password into an error message or a URL shown to the user', () => {
    const err = describeConnectionError(
      Object.assign(new Error('oops hunter2'), { code: 'ECONNRESET' }),
      'mqtt://me:hunter2@h',
      'hunter2',
    );
    assert.doesNotMatch(err.message, /hunter2/);
    const auth = describeConnectionError(
      Object.assign(new Error('Connection refused: Bad username or password'), { code: 4 }),
      'mqtt://h',
      'x',
    );
    assert.equal(auth.reason, 'auth');
    assert.match(auth.message, /refused the connection: bad username or password \(check the username and password/);
  });
});
