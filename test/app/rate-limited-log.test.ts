import assert from 'node:assert/strict';
import { RateLimitedLog } from '../../app/rate-limited-log';

describe('RateLimitedLog', function () {
  it(
    'writes the first line of each interval, counts the rest, and reports the count once the interval is ' + 'over',
    async function () {
      const lines: string[] = [];
      let now = 1000;
      const log = new RateLimitedLog(
        (line) => lines.push(line),
        'refused requests',
        10_000,
        () => now,
      );
      log.note('first');
      for (let i = 0; i < 50; i++) log.note(`flood ${i}`);
      assert.deepEqual(lines, ['first']);
      now += 10_000;
      log.flush();
      assert.deepEqual(lines, [
        'first',
        '50 more refused requests in the last 10 s not shown (one line per 10 s at most)',
      ]);
      log.flush();
      assert.equal(lines.length, 2, 'nothing held back, nothing said');
      now += 10_000;
      log.note('later');
      assert.equal(lines.at(-1), 'later');
    },
  );

  it('reports the held-back count by itself when no further line comes', async function () {
    const lines: string[] = [];
    const log = new RateLimitedLog((line) => lines.push(line), 'refused requests', 50);
    log.note('first');
    log.note('second');
    log.note('third');
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.deepEqual(lines, ['first', '2 more refused requests in the last 0 s not shown (one line per 0 s at most)']);
  });
});
