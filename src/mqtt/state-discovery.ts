import type { DiscoveryComponent } from './ha-discovery';
import type { ResolvedStateEntity } from './state-entity';
import { MAX_TEACH_BUTTONS } from './state-entity';
import type { SourceTopics } from './topics';

function objectIdPart(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
}

/**
 * Home Assistant components for a watched region: its state (a text sensor, or a binary_sensor
 * with a device class for a two-class set), the frame of its last change as an `image` entity,
 * and a "Teach: <class>" button per class that publishes `{"label": ...}` to the teach topic.
 */
export function stateComponents(
  id: string,
  topics: SourceTopics,
  entity: ResolvedStateEntity,
): Record<string, DiscoveryComponent> {
  const cmps: Record<string, DiscoveryComponent> = {};
  const stateId = `${id}_state`;
  cmps[stateId] = entity.binary
    ? {
        p: 'binary_sensor',
        name: 'State',
        unique_id: stateId,
        object_id: stateId,
        state_topic: topics.state,
        device_class: entity.binary.deviceClass,
        payload_on: entity.binary.on,
        payload_off: entity.binary.off,
        json_attributes_topic: topics.stateAttributes,
      }
    : {
        p: 'sensor',
        name: 'State',
        unique_id: stateId,
        object_id: stateId,
        state_topic: topics.state,
        json_attributes_topic: topics.stateAttributes,
        icon: 'mdi:state-machine',
      };
  const imageId = `${id}_state_image`;
  cmps[imageId] = {
    p: 'image',
    name: 'Last state change',
    unique_id: imageId,
    object_id: imageId,
    image_topic: topics.image,
    content_type: 'image/jpeg',
  };
  if (!entity.teachButtons || entity.classes.length > MAX_TEACH_BUTTONS) return cmps;
  for (const label of entity.classes) {
    const buttonId = `${id}_teach_${objectIdPart(label)}`;
    cmps[buttonId] = {
      p: 'button',
      name: `Teach: ${label}`,
      unique_id: buttonId,
      object_id: buttonId,
      command_topic: topics.teach,
      payload_press: JSON.stringify({ label }),
      icon: 'mdi:school',
    };
  }
  return cmps;
}
