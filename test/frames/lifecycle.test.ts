import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFrameSource, type FrameSource, type FrameSourceState } from '../../src/frames';
import { imagePath } from '../fixtures';
import { handleBaseline, leakedHandles, sleep } from '../helpers';
import { nextFrames, nextState, pidsWith, uniqueTag } from './helpers';

describe('frames/source lifecycle (start/stop by message)', function () {
  this.timeout(20000);
  let dir: string;
  let source: FrameSource | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frames-life-'));
    fs.copyFileSync(imagePath('owl.jpg'), path.join(dir, 'owl.jpg'));
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('can be stopped and started again; seq keeps counting', async () => {
    source = createFrameSource({ kind: 'folder', dir, mode: 'loop', intervalMs: 10, source: 's' });
    const states: FrameSourceState[] = [];
    source.on('state', (s) => states.push(s));
    source.start();
    const first = await nextFrames(source, 2);
    await source.stop();
    source.start();
    const second = await nextFrames(source, 2);
    assert.ok(second[0]!.seq > first[1]!.seq);
    assert.deepEqual(states, ['starting', 'running', 'stopped', 'starting', 'running']);
  });

  it('start() during a stop() takes effect once the stop has finished', async () => {
    source = createFrameSource({
      kind: 'command',
      command: '/usr/bin/ffmpeg',
      args: ['-loglevel', 'error', '-re', '-loop', '1', '-i', imagePath('owl.jpg'), '-r', '5', '-f', 'mjpeg', '-'],
      source: 's',
    });
    source.start();
    await nextFrames(source, 1);
    const stopping = source.stop();
    source.start();
    await stopping;
    await nextFrames(source, 1);
    assert.equal(source.state, 'running');
  });

  it('stop, start, stop in quick succession ends stopped: the last command wins, no camera left running', async () => {
    const before = await handleBaseline();
    const tag = uniqueTag();
    source = createFrameSource({
      kind: 'command',
      command: '/usr/bin/ffmpeg',
      args: [
        ...['-loglevel', 'error', '-re', '-loop', '1', '-i', imagePath('owl.jpg'), '-r', '5'],
        ...['-metadata', `comment=${tag}`, '-f', 'mjpeg', '-'],
      ],
      source: 's',
    });
    source.start();
    await nextFrames(source, 1);
    const stopping = source.stop();
    source.start();
    const stoppedAgain = source.stop(); // e.g. a redeploy closing the node right after a start message
    await stopping;
    await stoppedAgain;
    await sleep(300);
    assert.equal(source.state, 'stopped');
    assert.deepEqual(pidsWith(tag), [], 'no camera process');
    assert.deepEqual(await leakedHandles(before), []);
  });

  it('stop() while waiting to restart cancels the restart', async () => {
    const before = await handleBaseline();
    source = createFrameSource({
      kind: 'folder',
      dir: path.join(dir, 'missing'),
      mode: 'watch',
      intervalMs: 10,
      source: 's',
      restart: { initialMs: 100, maxMs: 100 },
    });
    source.on('error', () => undefined);
    source.start();
    await nextState(source, 'restarting');
    await source.stop();
    const restartsAtStop = source.stats.restarts;
    await sleep(300);
    assert.equal(source.state, 'stopped');
    assert.equal(source.stats.restarts, restartsAtStop);
    assert.match(source.stats.lastError ?? '', /^cannot read folder .*missing: ENOENT/);
    assert.deepEqual(await leakedHandles(before), []);
  });

  it('restart delays double up to the ceiling', async () => {
    source = createFrameSource({
      kind: 'folder',
      dir: path.join(dir, 'missing'),
      mode: 'loop',
      intervalMs: 10,
      source: 's',
      restart: { initialMs: 40, maxMs: 160 },
    });
    const at: number[] = [];
    source.on('error', () => at.push(Date.now()));
    source.start();
    await sleep(1000);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 40, 80, 160, 160, ... (plus scheduling jitter)
    assert.ok(gaps.length >= 4, `gaps ${gaps.join(',')}`);
    assert.ok(gaps[0]! >= 35 && gaps[0]! < 80, `gaps ${gaps.join(',')}`);
    assert.ok(gaps[1]! >= 75 && gaps[1]! < 160, `gaps ${gaps.join(',')}`);
    assert.ok(gaps[2]! >= 150 && gaps[3]! >= 150 && gaps[3]! < 320, `gaps ${gaps.join(',')}`);
  });
});
