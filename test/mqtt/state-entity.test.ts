import assert from 'node:assert/strict';
import { MqttConfigError } from '../../src/mqtt/errors';
import { resolveStateEntity } from '../../src/mqtt/state-entity';
import { parseTeachCommand, TeachCommandError, TeachRateLimit } from '../../src/mqtt/teach-command';

describe('mqtt/state entity and teach command', () => {
  it('picks the ON state of a two-class binary_sensor by its name, else the first class', () => {
    assert.deepEqual(resolveStateEntity({ classes: ['closed', 'open'], deviceClass: 'door' }).binary, {
      deviceClass: 'door',
      on: 'open',
      off: 'closed',
    });
    assert.equal(
      resolveStateEntity({ classes: ['empty', 'Occupied'], deviceClass: 'occupancy' }).binary?.on,
      'Occupied',
    );
    assert.equal(resolveStateEntity({ classes: ['cat', 'dog'], deviceClass: 'presence' }).binary?.on, 'cat');
    assert.equal(
      resolveStateEntity({ classes: ['closed', 'open'], deviceClass: 'door', on: 'closed' }).binary?.off,
      'open',
    );
  });

  it('shows a text sensor without a device class or with other than two classes', () => {
    assert.equal(resolveStateEntity({ classes: ['closed', 'open'] }).binary, undefined);
    assert.equal(resolveStateEntity({ classes: ['a', 'b', 'c'], deviceClass: 'door' }).binary, undefined);
    assert.throws(() => resolveStateEntity({ classes: 'open' as never }), MqttConfigError);
  });

  it('reads {"label"} and the source from the teach topic', () => {
    const cmd = parseTeachCommand(
      'home/mobilenet',
      'home/mobilenet/porch/teach',
      Buffer.from('{"label":" door open "}'),
      false,
    );
    assert.deepEqual(cmd, { source: 'porch', label: 'door open' });
  });

  it('refuses other topics, retained, non-JSON, label-less and oversized commands', () => {
    const refuse = (topic: string, payload: string, retained = false) =>
      assert.throws(() => parseTeachCommand('mobilenet', topic, Buffer.from(payload), retained), TeachCommandError);
    refuse('mobilenet/a/b/teach', '{"label":"x"}');
    refuse('other/porch/teach', '{"label":"x"}');
    refuse('mobilenet/porch/teach', '{"label":"x"}', true);
    refuse('mobilenet/porch/teach', 'null');
    refuse('mobilenet/porch/teach', '{"label":""}');
    refuse('mobilenet/porch/teach', '{"label":42}');
    refuse('mobilenet/porch/teach', `{"label":"x","pad":"${'p'.repeat(2000)}"}`);
  });

  it('accepts one teach command per source per second', () => {
    const limit = new TeachRateLimit(1000);
    const porch = { source: 'porch', label: 'open' };
    limit.check(porch, 't', 10_000);
    assert.throws(() => limit.check(porch, 't', 10_500), /less than 1000 ms after the previous one/);
    limit.check({ source: 'garage', label: 'open' }, 't', 10_500);
    limit.check(porch, 't', 11_000);
  });
});
