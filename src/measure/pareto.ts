/** A model on the latency–accuracy plane. */
export interface TradeoffPoint {
  latencyMs: number;
  top1: number;
}

/**
 * The Pareto front: the points no other point beats on both latency (lower) and accuracy (higher),
 * in order of latency. Ties in latency keep the more accurate one.
 */
export function paretoFront<T extends TradeoffPoint>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.latencyMs - b.latencyMs || b.top1 - a.top1);
  const front: T[] = [];
  for (const point of sorted) {
    if (front.length === 0 || point.top1 > front[front.length - 1].top1) front.push(point);
  }
  return front;
}
