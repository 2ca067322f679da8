import assert from 'node:assert/strict';
import { readConfig } from '../../app/config';
import { flowCredentials } from '../../app/flow-credentials';
import { buildFlow } from '../../app/flow';
import { moveLoginOutOfUrl } from '../../app/url-credentials';

const PASSWORDS = [
  'p@ss',
  'a@b@c',
  'pa:ss',
  'pa/ss',
  'pa#ss',
  '100%',
  'p%40ss',
  'two words',
  'ünïcødé✓',
  'x://y',
  'q?x=1&y',
  '',
];

describe('npm start: logins inside MQTT_URL and CAMERA_URL', function () {
  it('moves a percent-encoded login out of the URL, decoded, whatever the password holds', function () {
    for (const password of PASSWORDS) {
      const moved = moveLoginOutOfUrl(`mqtt://my%20user:${encodeURIComponent(password)}@broker.lan:1883`, 'MQTT_URL');
      assert.deepEqual(moved, { url: 'mqtt://broker.lan:1883', user: 'my user', password }, JSON.stringify(password));
    }
  });

  it(
    'reads an "@" or a space left unencoded in the password as part of it: the login ends at the ' + 'last "@"',
    function () {
      assert.deepEqual(moveLoginOutOfUrl('mqtt://me:p@ss@w@rd@broker.lan', 'MQTT_URL'), {
        url: 'mqtt://broker.lan',
        user: 'me',
        password: 'p@ss@w@rd',
      });
      assert.deepEqual(moveLoginOutOfUrl('mqtt://me:two words@broker.lan', 'MQTT_URL'), {
        url: 'mqtt://broker.lan',
        user: 'me',
        password: 'two words',
      });
      assert.deepEqual(moveLoginOutOfUrl('http://cam:se@cret@192.0.2.7/snapshot.jpg?x=1', 'CAMERA_URL'), {
        url: 'http://192.0.2.7/snapshot.jpg?x=1',
        user: 'cam',
        password: 'se@cret',
      });
    },
  );

  it('leaves URLs without a login as they are', function () {
    for (const url of ['mqtt://broker.lan:1883', 'mqtts://broker.lan', 'ws://h/mqtt', 'http://192.0.2.7/snap?mail=a@b'])
      assert.deepEqual(moveLoginOutOfUrl(url, 'X'), { url });
  });

  it('refuses a login it cannot read, naming the variable and the fix, never showing the password', function () {
    for (const url of [
      'mqtt://me:pa/QXsecret@broker.lan',
      'mqtt://me:pa#QXsecret@broker.lan',
      'mqtt://me:12/QXsecret@broker.lan',
    ]) {
      assert.throws(
        () => readConfig({ MQTT_URL: url }, '/srv'),
        (err: Error) => {
          assert.match(
            err.message,
            /^MQTT_URL is not a valid URL: mqtt:\/\/\*\*\*@broker\.lan\. .*percent-encoded/,
            url,
          );
          assert.ok(!err.message.includes('QXsecret'), err.message);
          return true;
        },
      );
    }
  });

  it('refuses a login in MQTT_URL together with MQTT_USERNAME or MQTT_PASSWORD', function () {
    assert.throws(
      () => readConfig({ MQTT_URL: 'mqtt://a:b@h', MQTT_USERNAME: 'c' }, '/srv'),
      /MQTT_URL carries a login .* MQTT_USERNAME or MQTT_PASSWORD is set too/,
    );
    assert.throws(
      () => readConfig({ MQTT_URL: 'mqtt://a:b@h', MQTT_PASSWORD: 'c' }, '/srv'),
      /give the login one way only/,
    );
  });

  it(
    'the generated flow holds the URLs without login; the logins go to the broker and camera ' + 'credentials',
    function () {
      const config = readConfig(
        { MQTT_URL: 'mqtt://job:mq%40pw@broker.lan:1883', CAMERA_URL: 'http://cam:cam%3Apw@192.0.2.7/snapshot.jpg' },
        '/srv',
      );
      const flow = JSON.stringify(buildFlow(config, config.mqttUrl as string));
      assert.ok(!flow.includes('pw') && !flow.includes('job') && !flow.includes('cam:'), flow);
      assert.match(flow, /"url":"mqtt:\/\/broker\.lan:1883"/);
      assert.match(flow, /"url":"http:\/\/192\.0\.2\.7\/snapshot\.jpg"/);
      assert.deepEqual(flowCredentials(config), {
        mobilenet_broker: { user: 'job', password: 'mq@pw' },
        mobilenet_camera: { user: 'cam', password: 'cam:pw' },
      });
      // Given apart, as before.
      assert.deepEqual(
        flowCredentials(readConfig({ MQTT_URL: 'mqtt://b', MQTT_USERNAME: 'u', MQTT_PASSWORD: 'p' }, '/srv')),
        { mobilenet_broker: { user: 'u', password: 'p' } },
      );
      assert.deepEqual(flowCredentials(readConfig({}, '/srv')), {});
    },
  );
});
