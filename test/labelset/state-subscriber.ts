import assert from 'node:assert/strict';
import { connectAsync, type MqttClient } from 'mqtt';
import { discoveryTopic, type DeviceDiscoveryPayload } from '../../src/mqtt/ha-discovery';
import { waitFor } from '../helpers';

export type Message = { payload: Buffer; retain: boolean };

/** A subscriber to every topic that keeps each message's bytes (the image topic carries a JPEG). */
export interface TopicRecorder {
  client: MqttClient;
  got: Map<string, Message[]>;
}

export async function recordAllTopics(url: string): Promise<TopicRecorder> {
  const client = await connectAsync(url, { connectTimeout: 5000 });
  const got = new Map<string, Message[]>();
  client.on('message', (topic, payload, packet) =>
    got.set(topic, [...(got.get(topic) ?? []), { payload, retain: packet.retain }]),
  );
  await client.subscribeAsync('#', { qos: 1 });
  return { client, got };
}

/**
 * What a subscriber arriving after a state change (Home Assistant after a restart) must find retained for
 * a source ("porch" unless named): the state, the JPEG that caused it on the image topic, and discovery with the
 * image entity and a binary_sensor of the given device class.
 */
export async function assertRetainedState(
  late: TopicRecorder,
  expected: { state: string; image: Buffer; deviceClass: string; source?: string },
): Promise<void> {
  const source = expected.source ?? 'porch';
  const state = await waitFor(() => late.got.get(`mobilenet/${source}/state`)?.at(-1), { what: `${source} state` });
  const image = await waitFor(() => late.got.get(`mobilenet/${source}/image`)?.at(-1), { what: `${source} image` });
  const config = await waitFor(() => late.got.get(discoveryTopic('mobilenet', source))?.at(-1), {
    what: `${source} discovery`,
  });
  assert.equal(state.payload.toString(), expected.state);
  assert.ok(state.retain && image.retain && config.retain);
  assert.ok(image.payload.equals(expected.image), 'the image topic carries the frame that caused the change');
  const cmps = Object.values((JSON.parse(config.payload.toString()) as DeviceDiscoveryPayload).cmps);
  assert.ok(cmps.some((c) => c.p === 'image' && c.image_topic === `mobilenet/${source}/image`));
  assert.ok(
    cmps.some(
      (c) =>
        c.p === 'binary_sensor' &&
        c.state_topic === `mobilenet/${source}/state` &&
        c.device_class === expected.deviceClass,
    ),
  );
}
