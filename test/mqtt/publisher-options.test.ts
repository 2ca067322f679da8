import assert from 'node:assert/strict';
import { MqttConfigError } from '../../src/mqtt/errors';
import { WATCHED_DEFAULTS } from '../../src/mqtt/hysteresis';
import { DEFAULT_QOS, resolvePublisherOptions } from '../../src/mqtt/publisher-options';

/** Asserts that the options are refused with an MqttConfigError whose message matches. */
function refuses(options: Parameters<typeof resolvePublisherOptions>[0], message: RegExp): void {
  assert.throws(
    () => resolvePublisherOptions(options),
    (err: unknown) => err instanceof MqttConfigError && message.test(err.message),
  );
}

describe('mqtt/publisher-options', () => {
  it('fills in every default when given nothing', () => {
    assert.deepEqual(resolvePublisherOptions(), {
      prefix: 'mobilenet',
      defaultSource: 'camera',
      watched: [],
      labelsMode: 'every',
      statsIntervalMs: 60000,
      discovery: true,
      discoveryPrefix: 'homeassistant',
      discoveryJitterMs: 1000,
      qos: DEFAULT_QOS,
      maxQueued: 1000,
      teach: false,
      member: undefined,
    });
  });

  it('reads an empty prefix or source (a cleared editor field) as the default', () => {
    const resolved = resolvePublisherOptions({ prefix: '', source: '' });
    assert.equal(resolved.prefix, 'mobilenet');
    assert.equal(resolved.defaultSource, 'camera');
  });

  it('keeps what was given, merging a partial QoS over the defaults', () => {
    const resolved = resolvePublisherOptions({
      prefix: 'home/garage/mobilenet',
      source: 'Garage door',
      labelsMode: 'change',
      statsIntervalMs: 0,
      discovery: false,
      discoveryPrefix: 'ha',
      discoveryJitterMs: 0,
      qos: { labels: 1 },
      maxQueued: 8,
      watch: [{ label: 'tabby, tabby cat', onFrames: 3 }],
    });
    assert.equal(resolved.prefix, 'home/garage/mobilenet');
    assert.equal(resolved.defaultSource, 'Garage door');
    assert.equal(resolved.labelsMode, 'change');
    assert.equal(resolved.statsIntervalMs, 0);
    assert.equal(resolved.discovery, false);
    assert.equal(resolved.discoveryPrefix, 'ha');
    assert.equal(resolved.discoveryJitterMs, 0);
    assert.deepEqual(resolved.qos, { state: 1, labels: 1, stats: 0, discovery: 1 });
    assert.equal(resolved.maxQueued, 8);
    assert.deepEqual(resolved.watched, [{ ...WATCHED_DEFAULTS, label: 'tabby, tabby cat', onFrames: 3 }]);
  });

  it('refuses a prefix with a wildcard or an empty level', () => {
    refuses({ prefix: 'home/#' }, /topic prefix "home\/#" is invalid/);
    refuses({ prefix: 'home//mobilenet' }, /topic prefix/);
  });

  it('refuses a source with nothing left for a topic level', () => {
    refuses({ source: '/#+' }, /no characters left for an MQTT topic level/);
  });

  it('refuses a watched label it cannot use, naming the label', () => {
    refuses({ watch: [{ label: 'owl', onThreshold: 0.2, offThreshold: 0.5 }] }, /watched label "owl".*offThreshold/);
    refuses({ watch: [{ label: ' ' }] }, /non-empty label name/);
  });

  it('refuses a labels mode other than every or change', () => {
    refuses({ labelsMode: 'sometimes' as 'every' }, /labelsMode must be "every" or "change", got "sometimes"/);
  });

  it('refuses a QoS other than 0, 1 or 2, naming its topic group', () => {
    refuses({ qos: { stats: 3 as 0 } }, /QoS for stats must be 0, 1 or 2, got 3/);
    refuses({ qos: { state: '1' as unknown as 1 } }, /QoS for state must be 0, 1 or 2, got "1"/);
  });

  it('refuses a stats interval that is negative or not a number, and accepts 0 as off', () => {
    refuses({ statsIntervalMs: -1 }, /statsIntervalMs must be a number >= 0 \(0 = off\), got -1/);
    refuses({ statsIntervalMs: Number.NaN }, /statsIntervalMs must be a number >= 0/);
    refuses({ statsIntervalMs: '60' as unknown as number }, /statsIntervalMs must be a number >= 0/);
    assert.equal(resolvePublisherOptions({ statsIntervalMs: 0 }).statsIntervalMs, 0);
  });
});
