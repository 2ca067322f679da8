/**
 * The developers' run of `mobilenet bench`: the same child-process measurements, plus what only a
 * checkout has — the fixture models (real weights; the int8 .tflite files), a real photo as the
 * frame, and the peer library in the same run.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { V1_025_128_QUANT_TFLITE, V1_025_LAYERS_DIR, V2_QUANT_TFLITE, imagePath } from '../fixtures';
import { int8FromLayers } from '../src/measure/int8-converter';
import { fullPreset, quickPreset } from '../src/measure/presets';
import { type BenchReport, type ExtraJob, runBench } from '../src/measure/run-bench';
import { writeBenchReport } from '../src/measure/write-report';
import { writePeerGraphModel } from './peer/adapter';
import { PEER_DIR } from './peer/peer-child';

/** Installs bench/peer's own dependencies (its lock file) once; they never enter the product's. */
export function ensurePeerInstalled(): void {
  if (fs.existsSync(path.join(PEER_DIR, 'node_modules', '@tensorflow-models', 'mobilenet'))) return;
  process.stderr.write('bench: installing the peer library into bench/peer/node_modules…\n');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEER_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function measureSuite(options: {
  quick: boolean;
  out: string;
  peer: boolean;
  grid: boolean;
}): Promise<BenchReport> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilenet-bench-dev-'));
  try {
    const extras: ExtraJob[] = [];
    if (options.peer) {
      ensurePeerInstalled();
      extras.push({
        name: 'peer',
        description:
          '@tensorflow-models/mobilenet 2.1.1 classify(), jpeg-js, main thread, tfjs-wasm, ' +
          'fixture V1 0.25 as a fused graph model',
        script: path.join(__dirname, 'peer', 'peer-child.js'),
        model: await writePeerGraphModel(V1_025_LAYERS_DIR, path.join(workDir, 'peer-v1-0.25')),
      });
    }
    const preset = options.quick ? quickPreset() : fullPreset();
    const report = await runBench({
      ...preset,
      grid: options.grid ? preset.grid : [],
      models: [V1_025_LAYERS_DIR, V2_QUANT_TFLITE],
      // Inference-bound: with the 0.25 model one worker already keeps both cores busy.
      throughputModel: V2_QUANT_TFLITE,
      image: imagePath('cat_720p.jpg'),
      local: {
        'v1_0.25_224_float': V1_025_LAYERS_DIR,
        'v1_0.25_128_int8': V1_025_128_QUANT_TFLITE,
        v2_1_224_int8: V2_QUANT_TFLITE,
      },
      extras,
      workDir,
      int8Converter: int8FromLayers,
    });
    await writeBenchReport(report, options.out);
    return report;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
