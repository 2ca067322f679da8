import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppConfig } from './config';
import { FLOW_IDS } from './flow';
import { replaceOwnerOnly } from './owner-only-files';

export const CREDENTIALS_FILE = 'flows_cred.json';
/** Node-RED copies the previous flows_cred.json here before it writes a new one. */
export const CREDENTIALS_BACKUP = '.flows_cred.json.backup';

export type FlowCredentials = Record<string, Record<string, string>>;
/** flows_cred.json as Node-RED reads it when encryption is on: `{"$": iv (hex) + ciphertext (base64)}`. */
export interface EncryptedCredentials {
  $: string;
}

// Node-RED's own format (@node-red/runtime lib/nodes/credentials.js): aes-256-ctr, the key is
// sha256 of the credentialSecret, a random 16-byte IV in front.
const ALGORITHM = 'aes-256-ctr';
const keyOf = (secret: string): Buffer => crypto.createHash('sha256').update(secret).digest();

export function encryptCredentials(secret: string, credentials: FlowCredentials): EncryptedCredentials {
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv(ALGORITHM, keyOf(secret), iv);
  return {
    $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64'),
  };
}

export function decryptCredentials(secret: string, encrypted: EncryptedCredentials): FlowCredentials {
  const iv = Buffer.from(encrypted.$.slice(0, 32), 'hex');
  const decipher = crypto.createDecipheriv(ALGORITHM, keyOf(secret), iv);
  return JSON.parse(
    decipher.update(encrypted.$.slice(32), 'base64', 'utf8') + decipher.final('utf8'),
  ) as FlowCredentials;
}

export function isEncrypted(credentials: unknown): credentials is EncryptedCredentials {
  return (
    typeof credentials === 'object' &&
    credentials !== null &&
    Object.keys(credentials).length === 1 &&
    typeof (credentials as { $?: unknown }).$ === 'string'
  );
}

/** The logins of the generated flow, from the environment (never written to flows.json). */
export function flowCredentials(config: AppConfig): FlowCredentials {
  const credentials: FlowCredentials = {};
  const login = (user: string | undefined, password: string | undefined): Record<string, string> | undefined =>
    user === undefined && password === undefined ? undefined : { user: user ?? '', password: password ?? '' };
  const broker = login(config.mqttUsername, config.mqttPassword);
  if (broker) credentials[FLOW_IDS.broker] = broker;
  const camera = config.camera.kind === 'url' ? login(config.camera.user, config.camera.password) : undefined;
  if (camera) credentials[FLOW_IDS.camera] = camera;
  return credentials;
}

/**
 * Writes flows_cred.json for the generated flow, encrypted and mode 0600, BEFORE Node-RED starts,
 * so Node-RED loads it with the flow. (Handing credentials to the runtime after RED.start() raced
 * its credential loading: saved before encryption was set up they were written in plain text, and
 * Node-RED then kept the plain file as it was at every later start.) The backup goes: it may hold
 * logins of an earlier start, in plain text if an earlier version wrote them.
 */
export function writeFlowCredentials(userDir: string, secret: string, credentials: FlowCredentials): void {
  fs.rmSync(path.join(userDir, CREDENTIALS_BACKUP), { force: true });
  replaceOwnerOnly(path.join(userDir, CREDENTIALS_FILE), JSON.stringify(encryptCredentials(secret, credentials)));
}
