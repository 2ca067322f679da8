import { publishedAccuracy } from '../zoo/published-accuracy';
import type { ArchitectureName } from '../zoo/architectures';

/** One point of the α×ρ trade-off: an architecture at a width multiplier and an input resolution. */
export interface GridPoint {
  arch: ArchitectureName;
  alpha: number;
  resolution: number;
}

/** The 16 V1 combinations the V1 paper and the slim tables publish. */
const V1_ALPHAS = [1, 0.75, 0.5, 0.25];
const V1_RESOLUTIONS = [224, 192, 160, 128];
/** V2 as published in tensorflow/models research/slim/nets/mobilenet/README.md (1.4 only at 224). */
const V2_ALPHAS = [1, 0.75, 0.5, 0.35];
const V2_RESOLUTIONS = [224, 192, 160, 128, 96];

/** The whole grid: 16 V1 points, 20 V2 points below α 1.4, and V2 1.4 at 224. */
export function fullGrid(): GridPoint[] {
  const points: GridPoint[] = [];
  for (const alpha of V1_ALPHAS)
    for (const resolution of V1_RESOLUTIONS) points.push({ arch: 'v1', alpha, resolution });
  points.push({ arch: 'v2', alpha: 1.4, resolution: 224 });
  for (const alpha of V2_ALPHAS)
    for (const resolution of V2_RESOLUTIONS) points.push({ arch: 'v2', alpha, resolution });
  return points;
}

/** Two small points, one per architecture: enough for an end-to-end check in seconds. */
export function quickGrid(): GridPoint[] {
  return [
    { arch: 'v1', alpha: 0.25, resolution: 128 },
    { arch: 'v2', alpha: 0.35, resolution: 96 },
  ];
}

/** e.g. "v1 0.25/128". */
export function pointName(point: GridPoint): string {
  return `${point.arch} ${point.alpha}/${point.resolution}`;
}

/**
 * Published ImageNet top-1 (%) for the point: the quantised figure for int8 where one is published
 * (V1), else the float figure (`floatFigure` true for an int8 point); undefined when none is published.
 */
export function publishedTop1(point: GridPoint, int8: boolean): { top1?: number; floatFigure: boolean } {
  return publishedAccuracy({ ...point, quantized: int8 });
}
