import { MqttConfigError } from './errors';

/**
 * Home Assistant's binary_sensor device classes (homeassistant/components/binary_sensor), the
 * vocabulary a two-state label set may choose from (`door`, `garage_door`, `occupancy`, ...).
 */
export const BINARY_SENSOR_DEVICE_CLASSES = [
  'battery',
  'battery_charging',
  'carbon_monoxide',
  'cold',
  'connectivity',
  'door',
  'garage_door',
  'gas',
  'heat',
  'light',
  'lock',
  'moisture',
  'motion',
  'moving',
  'occupancy',
  'opening',
  'plug',
  'power',
  'presence',
  'problem',
  'running',
  'safety',
  'smoke',
  'sound',
  'tamper',
  'update',
  'vibration',
  'window',
] as const;

/** One of Home Assistant's binary_sensor device classes (see BINARY_SENSOR_DEVICE_CLASSES). */
export type BinarySensorDeviceClass = (typeof BINARY_SENSOR_DEVICE_CLASSES)[number];

/** Teach buttons are one per class; a set with more classes gets none rather than a wall of buttons. */
export const MAX_TEACH_BUTTONS = 12;

/** Words that usually name the "on" state of a two-state region (HA's binary_sensor ON). */
const ON_WORDS = /^(open|opened|on|occupied|present|detected|yes|home|out|wet|running|unlocked)$/i;

/** How a watched region appears in Home Assistant: its classes, and how a two-class set is shown. */
export interface StateEntity {
  /** The label set's classes, the possible states. */
  classes: string[];
  /** With exactly two classes: show a binary_sensor of this device class instead of a text sensor. */
  deviceClass?: BinarySensorDeviceClass;
  /**
   * Which of the two classes is ON. Default: the one named like an "on" state (open, occupied,
   * present, ...), else the first class.
   */
  on?: string;
  /** A "Teach: <class>" button per class (at most 12 classes), publishing to the teach topic. Default true. */
  teachButtons?: boolean;
}

/** A checked StateEntity: `binary` is set when the state shows as a binary_sensor. */
export interface ResolvedStateEntity {
  classes: string[];
  binary?: { deviceClass: BinarySensorDeviceClass; on: string; off: string };
  teachButtons: boolean;
}

export function resolveStateEntity(entity: StateEntity): ResolvedStateEntity {
  const classes = entity?.classes;
  if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string' || c.trim().length === 0)) {
    throw new MqttConfigError(
      `state classes must be an array of non-empty label names, got ${JSON.stringify(classes)}`,
    );
  }
  const resolved: ResolvedStateEntity = { classes: [...classes], teachButtons: entity.teachButtons ?? true };
  if (entity.deviceClass === undefined) return resolved;
  if (!(BINARY_SENSOR_DEVICE_CLASSES as readonly string[]).includes(entity.deviceClass)) {
    throw new MqttConfigError(
      `state deviceClass must be one of Home Assistant's binary_sensor classes ` +
        `(${BINARY_SENSOR_DEVICE_CLASSES.join(', ')}), got ${JSON.stringify(entity.deviceClass)}`,
    );
  }
  // A third class taught later turns the binary_sensor back into a text sensor rather than hiding a state.
  if (classes.length !== 2) return resolved;
  const on = entity.on ?? classes.find((c) => ON_WORDS.test(c.trim())) ?? classes[0];
  if (!classes.includes(on)) {
    throw new MqttConfigError(
      `state "on" must be one of the two classes ${JSON.stringify(classes)}, got ${JSON.stringify(on)}`,
    );
  }
  resolved.binary = { deviceClass: entity.deviceClass, on, off: classes[0] === on ? classes[1] : classes[0] };
  return resolved;
}
