import * as fs from 'node:fs';
import type { AppConfig } from './config';
import { credentialSecret } from './credential-secret';
import { flowCredentials, writeFlowCredentials } from './flow-credentials';
import { keepToOwner, OWNER_ONLY_DIR } from './owner-only-files';
import { ownerOnlyStorage } from './owner-only-storage';

export interface CredentialsAtRest {
  /** Node-RED settings: the secret flows_cred.json is encrypted with, and the storage keeping it so. */
  settings: { credentialSecret: string; storageModule: object };
  /** One line for the log, naming where the secret is (never the secret). */
  description: string;
}

/**
 * Prepares the userDir before Node-RED starts: mode 0700, the credential secret, and flows_cred.json
 * holding the generated flow's logins (from the environment at every start), encrypted, mode 0600.
 * A flows_cred.json from an earlier start (encrypted with another key, or an older version's
 * constant one) is simply replaced: its logins came from the environment too.
 */
export function prepareCredentialsAtRest(config: AppConfig): CredentialsAtRest {
  keepToOwner(fs.realpathSync(config.userDir), OWNER_ONLY_DIR);
  const { secret, origin, file } = credentialSecret(config.userDir);
  writeFlowCredentials(config.userDir, secret, flowCredentials(config));
  const where =
    origin === 'NODE_RED_CREDENTIAL_SECRET'
      ? 'NODE_RED_CREDENTIAL_SECRET'
      : `the secret ${origin === 'generated' ? 'generated into' : 'kept in'} ${file}`;
  return {
    settings: { credentialSecret: secret, storageModule: ownerOnlyStorage(config.userDir, secret) },
    description: `credentials: encrypted in flows_cred.json with ${where}`,
  };
}
