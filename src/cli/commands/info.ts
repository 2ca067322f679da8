import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { DEFAULT_ENGINE, ENGINE_CHOICES, type EngineChoice } from '../../engine/engine';
import { Classifier } from '../../runner/classifier';
import { modelSizeOnDisk, readModelJson } from '../../model/model-files';
import { describeArchitecture } from '../../zoo/cost';
import { findCatalogEntry } from '../../zoo/catalog';
import { formatMillions } from '../../zoo/format-cost-table';
import { defaultModel, progressReporter } from '../model-option';

const HELP = `Usage: mobilenet info [M] [--json] [--engine E]

Loads model M (catalog name, directory with model.json, .tflite file or URL; default
$MOBILENET_MODEL or ${defaultModel()}) and prints its format, input size, number of labels,
size on disk, weight quantisation, and — when its architecture is known — its multiply-adds and
parameters from the MobileNet cost model. It says which engine runs the model (--engine auto |
litert | tfjs, default ${DEFAULT_ENGINE}) and, when auto keeps TF.js, why.`;

async function weightQuantization(localPath: string, format: string): Promise<string> {
  if (format === 'tflite') return 'TFLite tensors as stored (see normalization: a uint8 input means an integer model)';
  const json = await readModelJson(localPath);
  const counts = new Map<string, number>();
  for (const entry of json.weightsManifest.flatMap((g) => g.weights)) {
    const dtype = entry.quantization?.dtype ?? entry.dtype;
    counts.set(dtype, (counts.get(dtype) ?? 0) + 1);
  }
  return [...counts].map(([dtype, n]) => `${n} ${dtype}`).join(', ');
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
    const classifier = await Classifier.load({ model, onProgress: progressReporter(), ...(engine ? { engine } : {}) });
    try {
      const info = classifier.info;
      const localPath = classifier.localPath;
      const arch = architectureOf(info.name, info.inputSize.width);
      const cost = arch ? describeArchitecture({ ...arch, classes: info.classes }) : undefined;
      const report = {
        name: info.name,
        format: info.format,
        path: localPath,
        inputSize: info.inputSize,
        normalization: info.normalization,
        labels: info.classes,
        labelsSource: info.labelsSource,
        sizeOnDiskBytes: await modelSizeOnDisk(localPath),
        quantization: await weightQuantization(localPath, info.format),
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
        `input          ${report.inputSize.width}×${report.inputSize.height} RGB, pixel × ` +
          `${report.normalization.scale.toPrecision(6)} + ${report.normalization.offset}`,
        `labels         ${report.labels} (${report.labelsSource})`,
        `size on disk   ${(report.sizeOnDiskBytes / 1024 / 1024).toFixed(2)} MB`,
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
