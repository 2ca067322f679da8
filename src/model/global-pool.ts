import type { ModelGraph } from './graph';

/**
 * The tensor a MobileNet's global average pooling writes: the features the classifier head reads,
 * used as the image's embedding. In every MobileNet (V1, V2, Keras, TFLite, Teachable Machine) it
 * is the last average over space before the head (`mean` over height and width, or an AVERAGE_POOL_2D
 * whose window covers the whole feature map); undefined when the graph has none.
 */
export function globalPoolOutput(graph: ModelGraph): string | undefined {
  for (let i = graph.ops.length - 1; i >= 0; i--) {
    const op = graph.ops[i];
    if (op.op === 'avgPool') return op.output;
    if (op.op === 'mean' && op.axes.includes(1) && op.axes.includes(2)) return op.output;
  }
  return undefined;
}
