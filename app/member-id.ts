import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FILE = 'member-id';

/**
 * A pool member's name, made once and kept in its Node-RED user directory: a member restarted by
 * systemd comes back with the same MQTT client id, so the broker hands it the frames its session
 * still holds. The host name says which board it is; the random part tells apart several members
 * on one machine (each with its own user directory).
 */
export function memberId(userDir: string): string {
  const file = path.join(userDir, FILE);
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (/^[a-z0-9_-]{1,64}$/.test(kept)) return kept;
  } catch {
    // none yet
  }
  const host =
    os
      .hostname()
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 40) || 'member';
  const id = `${host}-${randomBytes(3).toString('hex')}`;
  fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
