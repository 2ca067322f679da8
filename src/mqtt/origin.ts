import * as fs from 'node:fs';
import * as path from 'node:path';

/** Home Assistant's required `o` (origin) block: who publishes these discovery messages. */
export interface DiscoveryOrigin {
  name: string;
  sw: string;
  url: string;
}

let cached: DiscoveryOrigin | undefined;

/** Reads name, version and repository from this package's package.json (the nearest one up). */
export function packageOrigin(): DiscoveryOrigin {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as {
        name?: string;
        version?: string;
        repository?: { url?: string } | string;
        homepage?: string;
      };
      const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
      const url = (pkg.homepage ?? repo ?? 'https://nodered.org').replace(/^git\+/, '').replace(/\.git$/, '');
      cached = { name: pkg.name ?? 'mobilenet-mqtt', sw: pkg.version ?? '0.0.0', url };
      return cached;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      cached = { name: 'mobilenet-mqtt', sw: '0.0.0', url: 'https://nodered.org' };
      return cached;
    }
    dir = parent;
  }
}
