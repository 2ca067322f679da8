import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DownloadMeter, formatDownloadBar, formatDownloadLine } from '../../../src/store/download-meter';
import { formatBytes, formatBytesExact } from '../../../src/store/byte-units';
import { MODELS } from '../../fixtures';
import { startFixtureServer, type FixtureServer } from '../../store/fixture-server';

const CLI = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const run = promisify(execFile);
const TFLITE = 'mobilenet_v1_0.25_128_quant_tflite/mobilenet_v1_0.25_128_quant.tflite';
const TFLITE_BYTES = fs.statSync(path.join(MODELS, TFLITE)).size;

describe('download progress (fetch, and every command that downloads a model)', function () {
  this.timeout(120_000);

  describe('the meter', function () {
    it('labels binary sizes as KiB/MiB, and shows bytes, rate and time left for one file', function () {
      assert.equal(formatBytes(3_610_798), '3.44 MiB');
      assert.equal(formatBytesExact(3_610_798), '3.44 MiB (3,610,798 bytes)');
      assert.equal(formatBytes(54_134), '52.9 KiB');
      const meter = new DownloadMeter(0);
      const file = 'model.tflite';
      meter.update({ file, bytes: 0, totalBytes: 1_000_000, filesDone: 0, filesTotal: 1 }, 0);
      const reading = meter.update({ file, bytes: 250_000, totalBytes: 1_000_000, filesDone: 0, filesTotal: 1 }, 1000);
      assert.equal(reading.percent, 25);
      assert.equal(reading.bytesPerSecond, 250_000);
      assert.equal(reading.etaSeconds, 3);
      assert.equal(formatDownloadLine(reading), '25% · 244.1 KiB · 244.1 KiB/s · ETA 3 s');
      assert.equal(formatDownloadBar(reading, 20), '[#####---------------]  25%  244.1 KiB  244.1 KiB/s  ETA 3 s');
    });

    it('adds up files in flight at once, and counts files finished', function () {
      const meter = new DownloadMeter(0);
      meter.update({ file: 'model.json', bytes: 100, totalBytes: 100, filesDone: 1, filesTotal: 5 }, 0);
      meter.update({ file: 'a', bytes: 50, totalBytes: 100, filesDone: 1, filesTotal: 5 }, 500);
      const reading = meter.update({ file: 'b', bytes: 50, totalBytes: 100, filesDone: 1, filesTotal: 5 }, 1000);
      // model.json done, two shards half-way: 2 of 5 files.
      assert.equal(reading.percent, 40);
      assert.equal(reading.bytes, 200);
      assert.equal(formatDownloadLine(reading), '40% · 200 B · 100 B/s · ETA 1 s · file 2/5');
    });
  });

  describe('mobilenet fetch of a single .tflite from a slow server', function () {
    let server: FixtureServer;
    let cache: string;

    beforeEach(async function () {
      server = await startFixtureServer(MODELS);
      // 32 KiB every 40 ms: about 0.7 s for the file, time enough to show progress on the way.
      server.faults.set(`/files/${TFLITE}`, { kind: 'paced', bytes: 32 * 1024, intervalMs: 40 });
      cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-fetch-progress-'));
    });

    afterEach(async function () {
      await server.close();
      fs.rmSync(cache, { recursive: true, force: true });
    });

    it('prints plain progress lines when stderr is not a terminal (a log), ending at 100%', async function () {
      const url = `${server.base}/files/${TFLITE}`;
      const { stdout, stderr } = await run(process.execPath, [CLI, 'fetch', url, '--cache', cache]);
      assert.ok(fs.existsSync(stdout.trim()), stdout);
      const lines = stderr.split('\n').filter((line) => line.startsWith('downloading: '));
      const percents = lines.map((line) => Number(/^downloading: (\d+)%/.exec(line)?.[1]));
      assert.ok(lines.length >= 4, `progress while the file arrives, not one line at the end:\n${stderr}`);
      assert.deepEqual(
        [...percents].sort((a, b) => a - b),
        percents,
        'percentages only grow',
      );
      assert.equal(percents.at(-1), 100);
      assert.ok(
        percents.some((p) => p > 0 && p < 100),
        stderr,
      );
      assert.match(
        lines.at(-1)!,
        new RegExp(`^downloading: 100% · ${formatBytes(TFLITE_BYTES).replace('.', '\\.')} · `),
      );
      assert.ok(
        lines.some((line) => / · [\d.]+ (KiB|MiB)\/s · ETA \d+ s/.test(line)),
        stderr,
      );
      assert.ok(!stderr.includes('\r'), 'no carriage returns in a log');
    });

    it('draws one bar redrawn in place with bytes, rate and ETA on a terminal', async function () {
      const url = `${server.base}/files/${TFLITE}`;
      // script(1) gives the CLI a pseudo-terminal, as a user's shell does.
      const command = `${process.execPath} ${CLI} fetch ${url} --cache ${cache}`;
      const { stdout } = await run('script', ['-qfec', command, '/dev/null']);
      const redraws = stdout.split('\r\x1b[K').slice(1);
      assert.ok(redraws.length >= 4, `the bar is redrawn while the file arrives:\n${JSON.stringify(stdout)}`);
      assert.ok(
        redraws.some((frame) =>
          /^downloading \[#*-+\] +\d+% {2}[\d.]+ (KiB|MiB) {2}[\d.]+ (KiB|MiB)\/s {2}ETA \d+ s/.test(frame),
        ),
        JSON.stringify(redraws),
      );
      assert.match(redraws.at(-1)!, /^downloading \[#{24}\] 100%/);
    });
  });
});
