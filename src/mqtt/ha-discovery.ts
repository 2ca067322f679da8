import type { WatchedLabel } from './hysteresis';
import type { DiscoveryOrigin } from './origin';
import { stateComponents } from './state-discovery';
import type { ResolvedStateEntity } from './state-entity';
import { slugify, type PublisherTopics } from './topics';

export const HA_DISCOVERY_PREFIX = 'homeassistant';
/** Home Assistant's birth/will topic: `online` means it (re)started and wants discovery again. */
export const HA_STATUS_TOPIC = 'homeassistant/status';

export interface DeviceDiscoveryInput {
  prefix: string;
  source: string;
  topics: PublisherTopics;
  watched: WatchedLabel[];
  origin: DiscoveryOrigin;
  qos: number;
  discoveryPrefix?: string;
  /** The source's watched region, when it has one: adds its state, last-change image and teach buttons. */
  state?: ResolvedStateEntity;
  /** Name the publisher's availability topic (default true; a pool member's sources have none of their own). */
  availability?: boolean;
}

export interface DiscoveryComponent {
  p: 'sensor' | 'binary_sensor' | 'image' | 'button';
  name: string;
  unique_id: string;
  object_id: string;
  /** Every component but image and button has one. */
  state_topic?: string;
  value_template?: string;
  device_class?: string;
  json_attributes_topic?: string;
  image_topic?: string;
  content_type?: string;
  command_topic?: string;
  payload_press?: string;
  payload_on?: string;
  payload_off?: string;
  icon?: string;
  state_class?: string;
}

export interface DeviceDiscoveryPayload {
  dev: { ids: string[]; name: string; mf: string; mdl: string; sw: string };
  o: DiscoveryOrigin;
  cmps: Record<string, DiscoveryComponent>;
  availability_topic?: string;
  payload_available?: string;
  payload_not_available?: string;
  qos: number;
}

/**
 * The device id depends only on prefix and source, so a restart (or a redeploy with a new node id)
 * re-announces the same device and Home Assistant keeps its entities, history and customisations.
 */
export function deviceId(prefix: string, source: string): string {
  return `${slugify(prefix.replace(/\//g, '_'))}_${slugify(source)}`.replace(/[^a-z0-9_-]/g, '_');
}

export function discoveryTopic(prefix: string, source: string, discoveryPrefix = HA_DISCOVERY_PREFIX): string {
  return `${discoveryPrefix}/device/${deviceId(prefix, source)}/config`;
}

/**
 * One HA device per source: top label, its score, a binary_sensor per watched label, and for a
 * watched region its state, the frame of its last change and a teach button per class.
 */
export function buildDeviceDiscovery(input: DeviceDiscoveryInput): { topic: string; payload: DeviceDiscoveryPayload } {
  const id = deviceId(input.prefix, input.source);
  const topics = input.topics.source(input.source);
  const cmps: Record<string, DiscoveryComponent> = {
    [`${id}_label`]: {
      p: 'sensor',
      name: 'Label',
      unique_id: `${id}_label`,
      object_id: `${id}_label`,
      state_topic: topics.label,
      icon: 'mdi:tag-text',
    },
    [`${id}_score`]: {
      p: 'sensor',
      name: 'Score',
      unique_id: `${id}_score`,
      object_id: `${id}_score`,
      state_topic: topics.labels,
      value_template: '{{ (value_json.predictions[0].score if value_json.predictions else 0) | round(3) }}',
      state_class: 'measurement',
      icon: 'mdi:percent',
    },
  };
  for (const watched of input.watched) {
    const uid = `${id}_${slugify(watched.label).replace(/[^a-z0-9_-]/g, '_')}`;
    cmps[uid] = {
      p: 'binary_sensor',
      name: watched.label,
      unique_id: uid,
      object_id: uid,
      state_topic: topics.watched(watched.label),
      payload_on: 'ON',
      payload_off: 'OFF',
    };
  }
  if (input.state) Object.assign(cmps, stateComponents(id, topics, input.state));
  return {
    topic: discoveryTopic(input.prefix, input.source, input.discoveryPrefix),
    payload: {
      dev: {
        ids: [id],
        name: `MobileNet ${input.source}`,
        mf: input.origin.name,
        mdl: 'MobileNet classifier',
        sw: input.origin.sw,
      },
      o: input.origin,
      cmps,
      ...(input.availability === false
        ? {}
        : {
            availability_topic: input.topics.available,
            payload_available: 'online',
            payload_not_available: 'offline',
          }),
      qos: input.qos,
    },
  };
}
