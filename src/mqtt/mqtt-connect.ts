import type { IClientOptions, MqttClient } from 'mqtt';

/** How a publisher or subscriber opens its connection (tests pass their own). */
export type ConnectFn = (url: string, options: IClientOptions) => MqttClient;

/**
 * mqtt.js's `connect`, with mqtt.js (~100 modules) loaded by the first connection: `require` of the package, and a
 * flow or program without a broker, never load it.
 */
export const mqttConnect: ConnectFn = (url, options) =>
  (require('mqtt') as typeof import('mqtt')).connect(url, options);
