/**
 * The MQTT room's door: what the nodes and library users need to publish labels and watched
 * states. Everything else (topics, discovery payloads, hysteresis, the offline queue) is the
 * publisher's own business; its tests import those files directly.
 */
export { LabelPublisher, type PublisherStatus } from './label-publisher';
export type { LabelPublisherOptions, QoS } from './publisher-options';
export type { LabelFrame } from './label-frame';
export { parseProtocolVersion, validateBrokerUrl, type BrokerSettings } from './broker-settings';
export { MqttConfigError } from './errors';
export { BINARY_SENSOR_DEVICE_CLASSES, type BinarySensorDeviceClass, type StateEntity } from './state-entity';
export type { StateUpdate } from './state-update';
export { TeachCommandError, type TeachCommand } from './teach-command';
