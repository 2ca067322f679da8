import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { splitArgs } from '../../../nodes/mobilenet-camera/split-args';

/** What /bin/sh itself makes of a line with no expansions in it: the independent reference. */
function shellSplit(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('mobilenet-camera/splitArgs', function () {
  const lines = [
    '-t 0 -n --codec mjpeg --width 640 --height 480 --framerate 5 -o -',
    `-i "rtsp://user:p w@cam/stream 1" -vf 'fps=5,scale=640:-2' -f mjpeg -`,
    `  leading   and trailing   spaces  `,
    `a\\ b "c\\"d" 'e"f' "g\\\\h" ''`,
    `-metadata title="it's" -x`,
  ];
  for (const line of lines) {
    it(`splits ${JSON.stringify(line)} as /bin/sh does`, function () {
      assert.deepEqual(splitArgs(line), shellSplit(line));
    });
  }

  it('keeps shell syntax literal: nothing is expanded or run', function () {
    assert.deepEqual(splitArgs('$HOME ~ *.jpg ; rm -rf / | cat `id` $(id)'), [
      '$HOME',
      '~',
      '*.jpg',
      ';',
      'rm',
      '-rf',
      '/',
      '|',
      'cat',
      '`id`',
      '$(id)',
    ]);
  });

  it('returns no arguments for an empty line', function () {
    assert.deepEqual(splitArgs(''), []);
    assert.deepEqual(splitArgs(' \n\t '), []);
  });

  it('refuses an unterminated quote or a trailing backslash, saying how to fix it', function () {
    assert.throws(() => splitArgs('-i "rtsp://cam'), /unterminated double quote: close it with "/);
    assert.throws(() => splitArgs("-vf 'fps=5"), /unterminated single quote: close it with '/);
    assert.throws(() => splitArgs('-o \\'), /lone backslash/);
  });
});
