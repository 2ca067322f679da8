/** A configuration or input value the MQTT publisher cannot use; the message names the valid values. */
export class MqttConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MqttConfigError';
  }
}

/** The broker refused or could not be reached; the message never contains credentials. */
export class MqttConnectionError extends Error {
  constructor(
    message: string,
    readonly reason: 'auth' | 'tls' | 'network' | 'protocol',
  ) {
    super(message);
    this.name = 'MqttConnectionError';
  }
}
