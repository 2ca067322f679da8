import { CATALOG, describeArchitecture, publishedAccuracy } from '../../src';

/** One row of the editor's model picker. */
export interface CatalogRow {
  name: string;
  arch: 'v1' | 'v2';
  alpha: number;
  resolution: number;
  /** ρ = resolution / 224, the paper's resolution multiplier. */
  rho: number;
  format: string;
  quantized: boolean;
  /** Multiply-adds and parameters computed from the architecture (not copied from a table). */
  macs: number;
  params: number;
  top1?: number;
  top1IsFloatFigure: boolean;
}

let rows: CatalogRow[] | undefined;

/** The catalog with each model's cost, computed once (the architecture walk is not free on a Pi). */
export function catalogRows(): CatalogRow[] {
  rows ??= CATALOG.map((entry) => {
    const cost = describeArchitecture({
      arch: entry.arch,
      alpha: entry.alpha,
      resolution: entry.resolution,
      classes: entry.classes,
    });
    const accuracy = publishedAccuracy(entry);
    return {
      name: entry.name,
      arch: entry.arch,
      alpha: entry.alpha,
      resolution: entry.resolution,
      rho: Math.round((entry.resolution / 224) * 1000) / 1000,
      format: entry.format,
      quantized: entry.quantized,
      macs: cost.macs,
      params: cost.params,
      top1: accuracy.top1,
      top1IsFloatFigure: accuracy.floatFigure,
    };
  });
  return rows;
}
