import type { ArchitectureDescription, CostType, LayerCost } from './cost';
import { COST_TYPES } from './cost';

/**
 * The cost model as text a person reads in a terminal: the paper's Table 1 columns per layer
 * with multiply-adds and parameters, then totals and the Table 2 breakdown. Shared by
 * `mobilenet inspect` and `mobilenet info`.
 */

const TYPE_LABELS: Record<CostType, string> = {
  conv1x1: 'Conv 1×1',
  depthwise3x3: 'Conv dw 3×3',
  conv3x3: 'Conv 3×3 (first)',
  fc: 'Fully connected',
};

export function formatMillions(value: number, digits = 2): string {
  return `${(value / 1e6).toFixed(digits)} M`;
}

export function formatInteger(value: number): string {
  return value.toLocaleString('en-US');
}

function filterShapeText(layer: LayerCost): string {
  const dims = layer.filterShape.join('×');
  switch (layer.type) {
    case 'avgpool':
      return `Pool ${dims}`;
    case 'softmax':
      return 'Classifier';
    default:
      return layer.type.startsWith('depthwise') ? `${dims} dw` : dims;
  }
}

function savingText(layer: LayerCost): string {
  if (!layer.separable) return '';
  const s = layer.separable;
  return `${formatMillions(s.standardConvMacs, 1)} → ×${(1 / s.ratio).toFixed(1)} less`;
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function formatCostTable(description: ArchitectureDescription, classes: number): string {
  const { arch, alpha, resolution } = description;
  const title =
    `MobileNet ${arch.toUpperCase()}  α=${alpha}  ${resolution}×${resolution} input ` +
    `(ρ=${(resolution / 224).toFixed(3)})  ${classes} classes`;
  const layerRows = description.layers.map((l) => [
    l.name,
    l.typeStride,
    filterShapeText(l),
    l.input.join('×'),
    l.macs ? formatMillions(l.macs) : '-',
    l.params ? formatInteger(l.params) : '-',
    savingText(l),
  ]);
  const layerTable = table(
    ['Layer', 'Type / Stride', 'Filter Shape', 'Input Size', 'Mult-Adds', 'Params', 'Standard conv → separable saving'],
    layerRows,
    new Set([4, 5]),
  );

  const weights = description.layers.reduce((sum, l) => sum + l.weights, 0);
  const typeTable = table(
    ['Type', 'Mult-Adds', 'Parameters'],
    COST_TYPES.map((t) => [
      TYPE_LABELS[t],
      `${description.byType[t].macsPct.toFixed(2)}%`,
      `${description.byType[t].paramsPct.toFixed(2)}%`,
    ]),
    new Set([1, 2]),
  );

  return [
    title,
    '',
    ...layerTable,
    '',
    `Total: ${formatMillions(description.macs)} multiply-adds, ${formatInteger(description.params)} parameters ` +
      `(${formatInteger(weights)} without batch-norm, which folds into the convolutions at inference)`,
    '',
    "Share by layer type (parameters without batch-norm, as in the paper's Table 2):",
    ...typeTable,
  ].join('\n');
}
