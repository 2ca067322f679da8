import assert from 'node:assert/strict';
import { buildDeviceDiscovery, deviceId, discoveryTopic } from '../../src/mqtt/ha-discovery';
import { validateWatchedLabel } from '../../src/mqtt/hysteresis';
import { packageOrigin } from '../../src/mqtt/origin';
import { publisherTopics } from '../../src/mqtt/topics';

describe('mqtt/ha-discovery', () => {
  const build = (prefix: string, source: string) =>
    buildDeviceDiscovery({
      prefix,
      source,
      topics: publisherTopics(prefix),
      watched: [validateWatchedLabel({ label: 'tabby, tabby cat' }), validateWatchedLabel({ label: 'macaw' })],
      origin: packageOrigin(),
      qos: 1,
    });

  it('follows the device-discovery shape: dev, o (name required), cmps each with p and unique_id', () => {
    const { topic, payload } = build('mobilenet', 'Front Porch');
    assert.equal(topic, 'homeassistant/device/mobilenet_front_porch/config');
    assert.deepEqual(payload.dev.ids, ['mobilenet_front_porch']);
    assert.ok(payload.dev.name.length > 0);
    assert.ok(payload.o.name.length > 0 && payload.o.sw.length > 0 && payload.o.url.length > 0);
    for (const [key, c] of Object.entries(payload.cmps)) {
      assert.ok(c.p === 'sensor' || c.p === 'binary_sensor', `${key}: platform`);
      assert.equal(c.unique_id, key);
      assert.match(c.unique_id, /^[a-z0-9_-]+$/, 'unique_id usable as an object_id');
      assert.ok(c.state_topic?.startsWith('mobilenet/front_porch/'));
    }
    assert.equal(
      payload.cmps.mobilenet_front_porch_tabby__tabby_cat.state_topic,
      'mobilenet/front_porch/tabby,_tabby_cat',
    );
    assert.equal(payload.availability_topic, 'mobilenet/available');
  });

  it('derives ids from prefix and source only, so they are the same after a restart', () => {
    assert.deepEqual(build('home/mobilenet', 'porch'), build('home/mobilenet', 'porch'));
    assert.equal(deviceId('home/mobilenet', 'porch'), 'home_mobilenet_porch');
    assert.notEqual(deviceId('a', 'porch'), deviceId('b', 'porch'));
    assert.equal(discoveryTopic('home/mobilenet', 'porch', 'ha'), 'ha/device/home_mobilenet_porch/config');
  });
});
