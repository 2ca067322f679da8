/**
 * The MQTT room's door: what the nodes and library users need to publish labels and watched
 * states. Everything else (topics, discovery payloads, hysteresis, the offline queue) is the
 * publisher's own business; its tests import those files directly.
 */
export { LabelPublisher, type FrameOutcome, type PublisherStatus } from './label-publisher';
export type { LabelPublisherOptions, QoS } from './publisher-options';
export type { LabelFrame } from './label-frame';
export { parseProtocolVersion, validateBrokerUrl, type BrokerSettings } from './broker-settings';
export { MqttConfigError } from './errors';
export { BINARY_SENSOR_DEVICE_CLASSES, type BinarySensorDeviceClass, type StateEntity } from './state-entity';
export type { StateUpdate } from './state-update';
export { TeachCommandError, type TeachCommand } from './teach-command';
export { FramePublisher, type FramePublisherOptions, type FramePublisherStats } from './frame-publisher';
export {
  FrameSubscriber,
  type FrameHandler,
  type FrameSubscriberOptions,
  type FrameSubscriberStats,
} from './frame-subscriber';
export {
  FRAME_CONTENT_TYPE,
  FrameMessageError,
  frameTopic,
  readFrameMessage,
  type FrameMessage,
} from './frame-message';
export { DEFAULT_MAX_FRAME_AGE_MS, DEFAULT_MAX_FRAME_MESSAGE_BYTES, type FrameRefusal } from './frame-message';
export { isNewerFrame, type FrameStamp } from './frame-order';
