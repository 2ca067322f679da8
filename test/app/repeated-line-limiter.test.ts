import assert from 'node:assert/strict';
import { RepeatedLineLimiter } from '../../app/repeated-line-limiter';

describe('app/RepeatedLineLimiter', function () {
  it('writes each kind of line once per interval (numbers set aside), then how many it held back', async function () {
    const written: string[] = [];
    let now = 0;
    const limiter = new RepeatedLineLimiter(
      (line) => written.push(line),
      50,
      () => now,
    );
    for (let i = 0; i < 5; i++) limiter.note('[classify] ', `frame ${i} dropped: queue of 4 full`);
    limiter.note('[camera] ', 'camera stopped');
    limiter.note('[classify] ', 'frame 9 dropped: queue of 4 full'.replace('queue', 'the queue'));
    assert.deepEqual(written, [
      'frame 0 dropped: queue of 4 full',
      'camera stopped',
      'frame 9 dropped: the queue of 4 full',
    ]);
    now = 60;
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(written.slice(3), [
      '4 more lines like "frame 0 dropped: queue of 4 full" in the last 0 s not shown (one line per 0 s at most)',
    ]);
    now = 120;
    limiter.note('[classify] ', 'frame 10 dropped: queue of 4 full');
    assert.equal(
      written.at(-1),
      'frame 10 dropped: queue of 4 full',
      'after the interval the next one is written again',
    );
  });

  it(
    'remembers a bounded number of kinds: a flood of ever-different lines is still written, and memory stays ' + 'flat',
    function () {
      const written: string[] = [];
      const limiter = new RepeatedLineLimiter((line) => written.push(line), 10_000);
      // Words without digits, so every line is a kind of its own.
      const word = (i: number): string =>
        [...i.toString(26)].map((digit) => String.fromCharCode(97 + parseInt(digit, 26))).join('');
      for (let i = 0; i < 1000; i++) limiter.note('[node] ', `error ${word(i)}`);
      assert.equal(written.length, 1000);
      // The newest 200 kinds are remembered: seen again within the interval, they are held back...
      for (let i = 800; i < 1000; i++) limiter.note('[node] ', `error ${word(i)}`);
      assert.equal(written.length, 1000);
      // ...and the one before them was forgotten to make room: it is written as new.
      limiter.note('[node] ', `error ${word(799)}`);
      assert.equal(written.at(-1), `error ${word(799)}`);
    },
  );
});
