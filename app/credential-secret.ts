import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createOwnerOnly, keepToOwner, OWNER_ONLY_FILE } from './owner-only-files';

/** Where a generated secret is kept, in the userDir. */
export const SECRET_FILE = '.credential-secret';

export interface CredentialSecret {
  /** The key Node-RED encrypts flows_cred.json with (as its `credentialSecret` setting). */
  secret: string;
  /** Where it came from, for the stage line (never the secret itself). */
  origin: 'NODE_RED_CREDENTIAL_SECRET' | 'generated' | 'file';
  file: string;
}

function readSecret(file: string): string {
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret === '') {
    throw new Error(
      `${file} is empty: delete it to have a new credential secret generated (the broker and camera logins come from ` +
        `the environment again at the next start)`,
    );
  }
  return secret;
}

/**
 * The credential secret: NODE_RED_CREDENTIAL_SECRET if set, else one generated once per
 * installation (32 random bytes) and kept in the userDir with mode 0600. Never a constant in the
 * source: anyone with the package could decrypt flows_cred.json.
 */
export function credentialSecret(userDir: string, env: NodeJS.ProcessEnv = process.env): CredentialSecret {
  const file = path.join(userDir, SECRET_FILE);
  const given = env.NODE_RED_CREDENTIAL_SECRET;
  if (given !== undefined && given !== '') return { secret: given, origin: 'NODE_RED_CREDENTIAL_SECRET', file };
  if (createOwnerOnly(file, `${crypto.randomBytes(32).toString('hex')}\n`))
    return { secret: readSecret(file), origin: 'generated', file };
  // Kept from an earlier start; a copy restored from a backup may have lost its mode.
  keepToOwner(file, OWNER_ONLY_FILE);
  return { secret: readSecret(file), origin: 'file', file };
}
