import type { IClientOptions } from 'mqtt';
import { MqttConfigError, MqttConnectionError } from './errors';
import { redactUserinfo } from '../redact-userinfo';

export const SUPPORTED_PROTOCOLS = ['mqtt:', 'mqtts:', 'ws:', 'wss:'] as const;

/** Everything needed to reach one broker; mirrors the broker config node. */
export interface BrokerSettings {
  /** mqtt://, mqtts://, ws:// or wss:// URL (credentials belong in username/password, not here). */
  url: string;
  clientId?: string;
  /** Seconds; 0 disables keep-alive pings. */
  keepalive?: number;
  clean?: boolean;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string;
  /** PEM text of the CA that signed the broker's certificate, and of the client certificate/key. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Verify the broker's certificate (default true). */
  rejectUnauthorized?: boolean;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
}

export interface WillMessage {
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** Accepts the spellings an editor or a flow may use for the protocol version. */
export function parseProtocolVersion(value: unknown): 4 | 5 {
  if (value === undefined || value === null || value === '' || value === 4 || value === '4' || value === '3.1.1')
    return 4;
  if (value === 5 || value === '5' || value === '5.0') return 5;
  throw new MqttConfigError(`MQTT protocol version must be "3.1.1" (4) or "5", got ${JSON.stringify(value)}`);
}

/** The broker URL parsed; throws MqttConfigError naming the supported schemes (login hidden) when it is not one. */
export function validateBrokerUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MqttConfigError(
      `broker URL "${redactUserinfo(url)}" is not a URL; use mqtt://host:1883, mqtts://host:8883, ws://host/mqtt or ` +
        `wss://host/mqtt`,
    );
  }
  if (!(SUPPORTED_PROTOCOLS as readonly string[]).includes(parsed.protocol)) {
    throw new MqttConfigError(
      `broker URL scheme "${parsed.protocol}" is not supported; use one of ` +
        `${SUPPORTED_PROTOCOLS.map((protocol) => `${protocol}//`).join(', ')}`,
    );
  }
  return parsed;
}

export function buildClientOptions(settings: BrokerSettings, will?: WillMessage): IClientOptions {
  validateBrokerUrl(settings.url);
  const keepalive = settings.keepalive ?? 60;
  if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) {
    throw new MqttConfigError(
      `keepalive must be an integer number of seconds from 0 to 65535, got ${String(settings.keepalive)}`,
    );
  }
  const options: IClientOptions = {
    clientId:
      settings.clientId && settings.clientId.length > 0
        ? settings.clientId
        : `mobilenet_${Math.random().toString(16).slice(2, 10)}`,
    keepalive,
    clean: settings.clean ?? true,
    protocolVersion: parseProtocolVersion(settings.protocolVersion),
    reconnectPeriod: settings.reconnectPeriodMs ?? 5000,
    connectTimeout: settings.connectTimeoutMs ?? 10000,
    // Messages for a disconnected broker wait in the publisher's bounded queue, not in mqtt.js.
    queueQoSZero: false,
    // A refusal can be transient (a restarting broker answers "server unavailable"), and a fixed
    // password on the broker side should heal without a redeploy; the status shows the refusal.
    reconnectOnConnackError: true,
    rejectUnauthorized: settings.rejectUnauthorized ?? true,
  };
  if (will)
    options.will = { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: will.retain };
  if (settings.username !== undefined && settings.username !== '') options.username = settings.username;
  if (settings.password !== undefined && settings.password !== '') options.password = settings.password;
  if (settings.ca !== undefined && settings.ca !== '') options.ca = settings.ca;
  if (settings.cert !== undefined && settings.cert !== '') options.cert = settings.cert;
  if (settings.key !== undefined && settings.key !== '') options.key = settings.key;
  return options;
}

/** Connack reason codes (3.1.1 and 5) that mean "your credentials are wrong". */
const AUTH_CODES = new Map<number, string>([
  [4, 'bad username or password'],
  [5, 'not authorised'],
  [134, 'bad username or password'],
  [135, 'not authorised'],
]);

/**
 * Turns whatever mqtt.js or the socket reported into one clear sentence naming the broker and what
 * to check. Only the redacted URL and the library's message are used, so no password can leak.
 */
export function describeConnectionError(
  err: Error & { code?: unknown },
  url: string,
  password?: string,
): MqttConnectionError {
  const where = `MQTT broker ${redactUserinfo(url)}`;
  const code = err.code;
  let result: MqttConnectionError;
  if (typeof code === 'number' && AUTH_CODES.has(code)) {
    result = new MqttConnectionError(
      `${where} refused the connection: ${AUTH_CODES.get(code)} (check the username and password of the broker config)`,
      'auth',
    );
  } else if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME/.test(code)) {
    result = new MqttConnectionError(
      `${where}: TLS certificate check failed (${err.message}); give the CA certificate that signed the broker's ` +
        `certificate, or turn verification off`,
      'tls',
    );
  } else if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    result = new MqttConnectionError(`cannot reach ${where}: ${err.message}`, 'network');
  } else {
    result = new MqttConnectionError(`${where}: ${err.message}`, 'protocol');
  }
  if (password && password.length > 0 && result.message.includes(password)) {
    return new MqttConnectionError(result.message.split(password).join('***'), result.reason);
  }
  return result;
}
