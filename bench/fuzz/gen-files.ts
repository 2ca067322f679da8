import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { casesOf } from './gen-common';
import type { Rng } from './rng';
import type { Family, FuzzCase, GeneratorContext, Surface } from './types';

/**
 * Paths that are not regular files, or are too large to read: named pipes (a read never ends),
 * character devices (/dev/zero never ends), directories, sparse files of gigabytes. Each is made
 * in the run's temp dir, inside the folder the classify node may read.
 */

const FILE_SURFACES: Surface[] = ['node', 'cli'];

export const filesFamily: Family = {
  name: 'file',
  kinds: ['file-fifo', 'file-char-device', 'file-directory', 'file-sparse-huge', 'file-empty', 'file-symlink-out'],
  async generate(ctx: GeneratorContext): Promise<FuzzCase[]> {
    const dir = path.join(ctx.tmpDir, 'files');
    fs.mkdirSync(dir, { recursive: true });
    const file = (kind: string, make: (target: string, rng: Rng) => string): Promise<FuzzCase[]> =>
      casesOf(ctx, 'file', kind, FILE_SURFACES, (rng, n) => {
        const name = `${kind}-${n}.${rng.pick(['jpg', 'png', 'jpeg'])}`;
        const what = make(path.join(dir, name), rng);
        return { what, expect: 'error', input: { type: 'file', dir, name } };
      });
    return [
      ...(await file('file-fifo', (target) => {
        execFileSync('mkfifo', [target]);
        return 'a named pipe nobody writes to';
      })),
      ...(await file('file-char-device', (target) => {
        try {
          execFileSync('mknod', [target, 'c', '1', '5']);
          return 'a character device reading like /dev/zero (endless zeros)';
        } catch {
          fs.symlinkSync('/dev/zero', target); // not root: a link to it (refused either way)
          return 'a link to /dev/zero';
        }
      })),
      ...(await file('file-directory', (target) => {
        fs.mkdirSync(target);
        return 'a directory';
      })),
      ...(await file('file-sparse-huge', (target, rng) => {
        const gb = rng.int(12, 30) / 10;
        const fd = fs.openSync(target, 'w');
        fs.ftruncateSync(fd, Math.round(gb * 2 ** 30));
        fs.closeSync(fd);
        return `a sparse file of ${gb} GB`;
      })),
      ...(await file('file-empty', (target) => {
        fs.writeFileSync(target, '');
        return 'an empty file';
      })),
      ...(await file('file-symlink-out', (target) => {
        fs.symlinkSync('/etc/hostname', target);
        return 'a link to a file outside the allowed folder';
      })),
    ];
  },
};
