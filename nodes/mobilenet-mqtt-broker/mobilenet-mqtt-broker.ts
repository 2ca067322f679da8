import * as fs from 'node:fs';
import { parseProtocolVersion, validateBrokerUrl, type BrokerSettings } from '../../src';
import type { BrokerNode } from './broker-node';
import type { RedApi } from '../shared/red-api';
import { numberOrDefault } from '../shared/number-setting';
import { type Translate, translator } from '../shared/translate';
import { toError } from '../../src';

/** What the editor stores for a broker (credentials are kept apart by Node-RED). */
interface BrokerNodeConfig {
  name?: string;
  url: string;
  clientId?: string;
  keepalive?: number | string;
  cleanSession?: boolean;
  protocol?: '3.1.1' | '5';
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  verifyTls?: boolean;
}

/** `file` names the file in the messages: `ca-file`, `cert-file` or `key-file`. */
function readPem(t: Translate, path: string | undefined, file: string): Buffer | undefined {
  if (!path || path.trim() === '') return undefined;
  try {
    return fs.readFileSync(path.trim());
  } catch (err) {
    throw new Error(t('errors.unreadable-file', { file: t(`errors.${file}`), path, reason: toError(err).message }));
  }
}

export = function (RED: RedApi): void {
  const t = translator(RED, 'mobilenet-mqtt-broker');

  function MobilenetMqttBrokerNode(this: BrokerNode, config: BrokerNodeConfig): void {
    RED.nodes.createNode(this, config);
    const url = String(config.url ?? '').trim();
    this.brokerSettings = (): BrokerSettings => {
      validateBrokerUrl(url);
      const keepalive = numberOrDefault(config.keepalive, 60);
      return {
        url,
        clientId: config.clientId?.trim() || undefined,
        keepalive,
        clean: config.cleanSession ?? true,
        protocolVersion: parseProtocolVersion(config.protocol),
        username: this.credentials?.user || undefined,
        password: this.credentials?.password || undefined,
        ca: readPem(t, config.caFile, 'ca-file'),
        cert: readPem(t, config.certFile, 'cert-file'),
        key: readPem(t, config.keyFile, 'key-file'),
        rejectUnauthorized: config.verifyTls ?? true,
      };
    };
  }
  RED.nodes.registerType('mobilenet-mqtt-broker', MobilenetMqttBrokerNode, {
    credentials: { user: { type: 'text' }, password: { type: 'password' } },
  });
};
