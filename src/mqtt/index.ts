/**
 * The MQTT room's door: what the nodes and library users need to publish labels. Everything else
 * (topics, discovery payloads, hysteresis, the offline queue) is the publisher's own business.
 */
export { LabelPublisher, type LabelPublisherOptions, type PublisherStatus, type QoS } from './label-publisher';
export type { LabelFrame } from './label-frame';
export { parseProtocolVersion, validateBrokerUrl, type BrokerSettings } from './broker-settings';
export { MqttConfigError } from './errors';
