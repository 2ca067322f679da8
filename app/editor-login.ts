/**
 * The editor's login (Node-RED `adminAuth`). Required when the editor is served beyond this
 * machine (EDITOR_REMOTE=1); on loopback only when EDITOR_PASSWORD asks for it, because there the
 * admin gate already turns away other machines, other names and other origins, and whatever else
 * runs on this machine as the service's user can rewrite flows.json anyway.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import bcrypt from 'bcryptjs';

export const EDITOR_LOGIN_FILE = 'editor-login.json';
const MIN_PASSWORD_LENGTH = 10;
const BCRYPT_ROUNDS = 10;

export interface EditorLogin {
  username: string;
  /** Node-RED's adminAuth setting. */
  adminAuth: Record<string, unknown>;
  /** Says where the login comes from; never the password. */
  describe: string;
}

interface StoredLogin {
  username: string;
  passwordHash: string;
}

function readStored(file: string): StoredLogin | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const stored = (() => {
    try {
      return JSON.parse(text) as Partial<StoredLogin> | null;
    } catch {
      return null;
    }
  })();
  if (
    typeof stored?.username !== 'string' ||
    typeof stored.passwordHash !== 'string' ||
    !/^\$2[aby]\$\d\d\$/.test(stored.passwordHash)
  ) {
    throw new Error(
      `${file} is not an editor login this program wrote (expected {"username", "passwordHash": bcrypt}); delete it ` +
        `to generate a new password, or set EDITOR_PASSWORD`,
    );
  }
  // The hash is all a guesser needs to try passwords offline: nobody else may read it.
  fs.chmodSync(file, 0o600);
  return { username: stored.username, passwordHash: stored.passwordHash };
}

function adminAuth(username: string, passwordHash: string): Record<string, unknown> {
  return { type: 'credentials', users: [{ username, password: passwordHash, permissions: '*' }] };
}

/**
 * Reads EDITOR_USERNAME / EDITOR_PASSWORD (and removes the password from the environment, so no
 * camera command or exec node inherits it). Without EDITOR_PASSWORD and with `remote`, the stored
 * login is used, or one is generated: its password is handed to `announce` this once and only its
 * bcrypt hash is kept, in `<userDir>/editor-login.json` (mode 0600).
 */
export function editorLogin(options: {
  env: NodeJS.ProcessEnv;
  userDir: string;
  remote: boolean;
  announce: (line: string) => void;
}): EditorLogin | undefined {
  const login = chooseLogin(options);
  // Node-RED keeps the editor's session tokens in <userDir>/.sessions.json, written with the
  // default umask: with a login, the directory itself is closed to other users.
  if (login) fs.chmodSync(options.userDir, 0o700);
  return login;
}

function chooseLogin(options: {
  env: NodeJS.ProcessEnv;
  userDir: string;
  remote: boolean;
  announce: (line: string) => void;
}): EditorLogin | undefined {
  const { env, userDir } = options;
  const password = env.EDITOR_PASSWORD;
  delete env.EDITOR_PASSWORD;
  const wantedName = env.EDITOR_USERNAME?.trim();
  if (wantedName !== undefined && !/^[\w.@-]{1,64}$/.test(wantedName)) {
    throw new Error('EDITOR_USERNAME must be 1 to 64 letters, digits or . _ @ -');
  }
  if (password !== undefined && password !== '') {
    if (password.length < MIN_PASSWORD_LENGTH)
      throw new Error(`EDITOR_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters long`);
    const username = wantedName || 'admin';
    return {
      username,
      adminAuth: adminAuth(username, bcrypt.hashSync(password, BCRYPT_ROUNDS)),
      describe: `login as "${username}" with EDITOR_PASSWORD`,
    };
  }
  if (!options.remote) return undefined;

  const file = path.join(userDir, EDITOR_LOGIN_FILE);
  const stored = readStored(file);
  if (stored) {
    const username = wantedName || stored.username;
    return {
      username,
      adminAuth: adminAuth(username, stored.passwordHash),
      describe: `login as "${username}" with the password printed when ${file} was created (delete it for a new one)`,
    };
  }
  const username = wantedName || 'admin';
  const generated = randomBytes(18).toString('base64url');
  const record: StoredLogin = { username, passwordHash: bcrypt.hashSync(generated, BCRYPT_ROUNDS) };
  // 'wx': never overwrite a login another start wrote meanwhile; 0600 from the first byte.
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  options.announce(
    `editor login generated: user "${username}", password ${generated} -- shown this once only; ` +
      `only its hash is kept (${file}; delete that file for a new password, or set EDITOR_PASSWORD)`,
  );
  return {
    username,
    adminAuth: adminAuth(username, record.passwordHash),
    describe: `login as "${username}" with the password printed when ${file} was created (delete it for a new one)`,
  };
}
