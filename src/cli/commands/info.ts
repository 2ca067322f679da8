import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { DEFAULT_ENGINE, ENGINE_CHOICES, type EngineChoice } from '../../engine/engine';
import { modelSizeOnDisk, readModelJson } from '../../model/model-files';
import { importTflite } from '../../model/tflite/import-tflite';
import { formatBytesExact } from '../../store/byte-units';
import { describeArchitecture } from '../../zoo/cost';
import { findCatalogEntry } from '../../zoo/catalog';
import { formatMillions } from '../../zoo/format-cost-table';
import { defaultModel, loadWithProgress } from '../model-option';

const HELP = `Usage: mobilenet info [M] [--json] [--engine E]

Loads model M (catalog name, directory with model.json, .tflite file or URL; default
$MOBILENET_MODEL or ${defaultModel()}) and prints its format, input size, number of labels,
size on disk, weight quantisation, and — when its architecture is known — its multiply-adds and
parameters from the MobileNet cost model. It says which engine runs the model (--engine auto |
litert | tfjs, default ${DEFAULT_ENGINE}) and, when auto keeps TF.js, why.`;

/** How a model's input and weights are stored: what `info` prints under "input" and "weights". */
interface Storage {
  /** The input tensor's type: uint8/int8 take the pixel bytes as integers, float32 takes normalised reals. */
  inputDtype: 'uint8' | 'int8' | 'float32';
  weights: string;
}

async function storageOf(localPath: string, format: string): Promise<Storage> {
  if (format === 'tflite') {
    const imported = importTflite(new Uint8Array(await readFile(localPath)));
    const weighted = imported.graph.ops.filter((op) => 'filter' in op || 'weights' in op);
    const integer = weighted.filter((op) => 'weightScales' in op && op.weightScales !== undefined).length;
    const kind = imported.inputDtype === 'float32' ? 'integer' : imported.inputDtype;
    return {
      inputDtype: imported.inputDtype,
      weights:
        integer === 0
          ? `float32 in all ${weighted.length} layers with weights`
          : `${kind} (quantised) in ${integer} of ${weighted.length} layers with weights, as the .tflite stores them`,
    };
  }
  const json = await readModelJson(localPath);
  const counts = new Map<string, number>();
  for (const entry of json.weightsManifest.flatMap((g) => g.weights)) {
    const dtype = entry.quantization?.dtype ?? entry.dtype;
    counts.set(dtype, (counts.get(dtype) ?? 0) + 1);
  }
  const weights = [...counts].map(([dtype, n]) => `${n} ${dtype}`).join(', ');
  return { inputDtype: 'float32', weights };
}

/** "pixel / 127.5 − 1", "pixel / 255", "pixel × 0.0235 + 0.5": the sign written as a sign, a round divisor as one. */
export function describeNormalization(normalization: { scale: number; offset: number }): string {
  const { scale, offset } = normalization;
  const divisor = 1 / scale;
  const roundDivisor = Math.abs(divisor * 2 - Math.round(divisor * 2)) < 1e-6;
  const times = roundDivisor ? `pixel / ${Math.round(divisor * 2) / 2}` : `pixel × ${Number(scale.toPrecision(6))}`;
  if (Math.abs(offset) < 1e-9) return times;
  return `${times} ${offset < 0 ? '−' : '+'} ${Number(Math.abs(offset).toPrecision(6))}`;
}

/** The input row: the size, then what the model receives for each pixel byte. */
function describeInput(
  size: { width: number; height: number },
  storage: Storage,
  n: { scale: number; offset: number },
) {
  const real = describeNormalization(n);
  if (storage.inputDtype === 'float32') return `${size.width}×${size.height} RGB float32: ${real}`;
  return (
    `${size.width}×${size.height} RGB ${storage.inputDtype}: the pixel bytes are the model's integer input ` +
    `(quantised, meaning ${real})`
  );
}

/** arch/α/resolution from the catalog, else from a conventional name such as mobilenet_v1_0.25_224. */
function architectureOf(
  name: string,
  inputSize: number,
): { arch: 'v1' | 'v2'; alpha: number; resolution: number } | undefined {
  const entry = findCatalogEntry(name);
  if (entry) return { arch: entry.arch, alpha: entry.alpha, resolution: entry.resolution };
  const match = /mobilenet_(v[12])_([0-9.]+)_(\d+)/i.exec(path.basename(name));
  if (!match) return undefined;
  return {
    arch: match[1].toLowerCase() as 'v1' | 'v2',
    alpha: Number(match[2]),
    resolution: Number(match[3]) || inputSize,
  };
}

export const infoCommand: CliCommand = {
  summary: 'describe a model: format, input, labels, size, quantisation, cost',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        engine: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.engine !== undefined && !(ENGINE_CHOICES as readonly string[]).includes(values.engine)) {
      console.error(`mobilenet info: --engine must be one of ${ENGINE_CHOICES.join(', ')}, got "${values.engine}"`);
      return 2;
    }
    const model = positionals[0] ?? defaultModel();
    const engine = values.engine as EngineChoice | undefined;
    const classifier = await loadWithProgress({ model, ...(engine ? { engine } : {}) });
    try {
      const info = classifier.info;
      const localPath = classifier.localPath;
      const arch = architectureOf(info.name, info.inputSize.width);
      const cost = arch ? describeArchitecture({ ...arch, classes: info.classes }) : undefined;
      const storage = await storageOf(localPath, info.format);
      const report = {
        name: info.name,
        format: info.format,
        path: localPath,
        inputSize: info.inputSize,
        normalization: info.normalization,
        labels: info.classes,
        labelsSource: info.labelsSource,
        sizeOnDiskBytes: await modelSizeOnDisk(localPath),
        inputDtype: storage.inputDtype,
        quantization: storage.weights,
        engine: info.engine,
        ...(info.engineFallbackReason ? { engineFallbackReason: info.engineFallbackReason } : {}),
        backend: info.backend,
        execution: info.mode,
        loadMs: Math.round(info.loadMs),
        architecture: arch && cost ? { ...arch, macs: cost.macs, params: cost.params } : undefined,
      };
      if (values.json) {
        console.log(JSON.stringify(report));
        return 0;
      }
      const fallback = report.engineFallbackReason ? ` (auto kept TF.js: ${report.engineFallbackReason})` : '';
      const lines = [
        `model          ${report.name}`,
        `format         ${report.format} (${report.execution} on ${report.backend}, loaded in ${report.loadMs} ms)`,
        `engine         ${report.engine}${fallback}`,
        `path           ${report.path}`,
        `input          ${describeInput(report.inputSize, storage, report.normalization)}`,
        `labels         ${report.labels} (${report.labelsSource})`,
        `size on disk   ${formatBytesExact(report.sizeOnDiskBytes)}`,
        `weights        ${report.quantization}`,
      ];
      if (report.architecture) {
        const a = report.architecture;
        lines.push(
          `architecture   MobileNet ${a.arch.toUpperCase()} α=${a.alpha} ρ→${a.resolution}px: ` +
            `${formatMillions(a.macs)} multiply-adds, ${formatMillions(a.params)} parameters`,
        );
      }
      console.log(lines.join('\n'));
      return 0;
    } finally {
      await classifier.dispose();
    }
  },
};
