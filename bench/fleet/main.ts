/**
 * `npm run bench:fleet -- --cameras N --fps F --members M`: N simulated cameras (real JPEG photos)
 * publish frames through a real Mosquitto 2 to M `npm start` pool members, and a consumer checks
 * every label: throughput, capture → label latency, frames dropped by age and by policy, each
 * member's share. `--json` prints one JSON object as the last line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_LAYERS_DIR } from '../../fixtures';
import { runCameras, type SentFrame } from './cameras';
import { LabelCollector, type FleetReport } from './collector';
import { startMember, type Member } from './members';
import { startFleetBroker } from './mosquitto';
import { loadPhotos } from './photos';

interface Options {
  cameras: number;
  fps: number;
  members: number;
  seconds: number;
  qos: 0 | 1;
  maxAgeMs: number;
  stepBackMs: number;
  receiveMaximum: number;
  model: string;
  json: boolean;
}

function parse(argv: string[]): Options {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const parsed = Number(argv[at + 1]);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a number >= 0, got ${argv[at + 1]}`);
    return parsed;
  };
  const modelAt = argv.indexOf('--model');
  const qos = value('qos', 1);
  if (qos !== 0 && qos !== 1) throw new Error(`--qos is 0 or 1, got ${qos}`);
  return {
    cameras: Math.max(1, Math.round(value('cameras', 2))),
    fps: value('fps', 5) || 5,
    members: Math.max(1, Math.round(value('members', 1))),
    seconds: value('seconds', 30) || 30,
    qos,
    maxAgeMs: value('max-age-ms', 10_000),
    stepBackMs: value('step-back-ms', 0),
    receiveMaximum: Math.max(1, Math.round(value('receive-maximum', 4))),
    model: modelAt >= 0 ? path.resolve(argv[modelAt + 1]) : V1_025_LAYERS_DIR,
    json: argv.includes('--json'),
  };
}

const say = (line: string): void => {
  process.stderr.write(`bench:fleet: ${line}\n`);
};

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const loadavgAtStart = os.loadavg()[0];
  const prefix = 'fleet';
  const photos = await loadPhotos(options.model);
  say(`expected answers: ${photos.map((p) => `${p.file} → ${p.expected}`).join(', ')}`);
  const broker = await startFleetBroker();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-cache-'));
  const members: Member[] = [];
  let collector: LabelCollector | undefined;
  try {
    collector = await LabelCollector.connect(broker.url, prefix);
    say(`starting ${options.members} member(s) on ${broker.url}…`);
    members.push(
      ...(await Promise.all(
        Array.from({ length: options.members }, () =>
          startMember({
            url: broker.url,
            prefix,
            topic: `$share/classifiers/${prefix}/+/frame`,
            model: options.model,
            receiveMaximum: options.receiveMaximum,
            maxAgeMs: options.maxAgeMs,
            stepBackMs: options.stepBackMs,
            cacheDir,
          }),
        ),
      )),
    );
    const frames = Math.max(1, Math.round(options.seconds * options.fps));
    say(`${options.cameras} camera(s) × ${frames} frames at ${options.fps} fps, QoS ${options.qos}…`);
    const sent: SentFrame[] = await runCameras(
      { cameras: options.cameras, fps: options.fps, frames, qos: options.qos, prefix, url: broker.url },
      photos,
    );
    const taken = sent.filter((f) => f.taken);
    // Done when every frame has a label, or when nothing new came for a while (the rest was dropped).
    let last = -1;
    let quietSince = Date.now();
    const quietMs = Math.max(5000, Math.min(options.maxAgeMs || 30_000, 30_000));
    const labelCollector = collector;
    while (labelCollector.labelled(taken) < taken.length && Date.now() - quietSince < quietMs) {
      const now = labelCollector.arrivals.length;
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // A graceful stop publishes each intake's last counters (frames dropped by age, refused, failed).
    await Promise.all(members.map((m) => m.stop()));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const report = labelCollector.report(sent, sent.length - taken.length);
    print(options, report, members, loadavgAtStart);
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    await collector?.close();
    await broker.stop();
    for (const m of members) fs.rmSync(m.userDir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

function print(options: Options, report: FleetReport, members: Member[], loadavgAtStart: number): void {
  const shares = members.map((m) => report.memberShares[m.id] ?? 0);
  const total = shares.reduce((a, b) => a + b, 0) || 1;
  const result = {
    cameras: options.cameras,
    fps: options.fps,
    members: options.members,
    qos: options.qos,
    offeredFps: options.cameras * options.fps,
    ...report,
    memberShares: Object.fromEntries(members.map((m, i) => [m.id, shares[i]])),
    memberSharePercent: shares.map((s) => Math.round((s / total) * 1000) / 10),
    loadavgAtStart: Math.round(loadavgAtStart * 100) / 100,
    loadavgAtEnd: Math.round(os.loadavg()[0] * 100) / 100,
    machine: `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  };
  const rows: Array<[string, string]> = [
    ['offered', `${result.offeredFps} fps (${options.cameras} cameras × ${options.fps} fps), QoS ${options.qos}`],
    ['frames taken by the broker', String(report.frames)],
    ['classified', `${report.classified} (${report.throughputFps} fps)`],
    ['latency capture → label p50 / p95', `${report.latencyP50Ms ?? '-'} / ${report.latencyP95Ms ?? '-'} ms`],
    ['dropped by age / by policy', `${report.droppedByAge} / ${report.droppedByPolicy}`],
    ['lost / duplicates / wrong', `${report.lost} / ${report.duplicates} / ${report.wrong}`],
    ['member shares', result.memberSharePercent.map((p) => `${p}%`).join(' · ')],
    ['unheard (no member subscribed)', String(report.unheard)],
    ['stepped back', members.map((m) => report.steppedBack[m.id] ?? 0).join(' · ')],
    ['load average start → end', `${result.loadavgAtStart} → ${result.loadavgAtEnd}`],
  ];
  for (const [name, value] of rows) console.log(`${name.padEnd(36)} ${value}`);
  if (options.json) console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(`bench:fleet failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
