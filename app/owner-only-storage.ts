import * as path from 'node:path';
import {
  CREDENTIALS_BACKUP,
  CREDENTIALS_FILE,
  encryptCredentials,
  isEncrypted,
  type FlowCredentials,
} from './flow-credentials';
import { nodeRedDir } from './node-red-runtime';
import { keepToOwner, OWNER_ONLY_FILE } from './owner-only-files';

type Save = (data: unknown, ...rest: unknown[]) => Promise<unknown>;
interface StorageModule {
  saveFlows: Save;
  saveCredentials: Save;
  saveSessions: Save;
  [name: string]: unknown;
}

/** Node-RED's own file storage, found through the Node-RED the job runs, wherever npm placed @node-red/runtime. */
function nodeRedFileStorage(): StorageModule {
  return require(
    require.resolve('@node-red/runtime/lib/storage/localfilesystem', { paths: [nodeRedDir()] }),
  ) as StorageModule;
}

/**
 * Node-RED's file storage (settings.storageModule) with two guarantees for what the editor deploys
 * later: flows_cred.json is always encrypted with the credential secret, even if a deploy came
 * before Node-RED had set its encryption up (it hands over plain credentials then), and
 * flows_cred.json, flows.json (a CAMERA_CMD may carry a login), their backups and .sessions.json
 * (editor login tokens) are mode 0600. Node-RED writes them 0644 through a temporary file; the
 * userDir is 0700, so nobody else can open them before the mode is taken back here.
 */
export function ownerOnlyStorage(userDir: string, secret: string): StorageModule {
  const files = nodeRedFileStorage();
  const keep = (...names: string[]): void => {
    for (const name of names) keepToOwner(path.join(userDir, name), OWNER_ONLY_FILE);
  };
  return {
    ...files,
    async saveCredentials(credentials: unknown, ...rest: unknown[]) {
      const stored = isEncrypted(credentials)
        ? credentials
        : encryptCredentials(secret, (credentials ?? {}) as FlowCredentials);
      await files.saveCredentials(stored, ...rest);
      keep(CREDENTIALS_FILE, CREDENTIALS_BACKUP);
    },
    async saveFlows(flows: unknown, ...rest: unknown[]) {
      await files.saveFlows(flows, ...rest);
      keep('flows.json', '.flows.json.backup');
    },
    async saveSessions(sessions: unknown, ...rest: unknown[]) {
      await files.saveSessions(sessions, ...rest);
      keep('.sessions.json');
    },
  };
}
