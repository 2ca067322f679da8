/** Just enough of a Keras topology (as TF.js layers models store it) to follow the data between layers. */

export interface KerasLayer {
  class_name: string;
  name?: string;
  config: { name?: string; layers?: KerasLayer[]; [key: string]: unknown };
  inbound_nodes?: unknown[];
}

export interface KerasGraph {
  layers: KerasLayer[];
  byName: Map<string, KerasLayer>;
  nameOf(layer: KerasLayer): string;
  /** Names of the layers feeding this one. */
  inputsOf(layer: KerasLayer): string[];
  /** How many layers read this layer's output. */
  readers(name: string): number;
}

function inboundNames(layer: KerasLayer): string[] {
  const names: string[] = [];
  for (const node of layer.inbound_nodes ?? []) {
    // Keras 2: [[["conv1", 0, 0, {}]]]; Keras 3: {args: [{config: {keras_history: ["conv1", 0, 0]}}]}
    if (Array.isArray(node))
      for (const entry of node) if (Array.isArray(entry) && typeof entry[0] === 'string') names.push(entry[0]);
  }
  return names;
}

/** Reads a functional or sequential Keras topology; an unknown shape gives an empty graph. */
export function readKerasGraph(topology: unknown): KerasGraph {
  const root = topology as { model_config?: KerasLayer };
  const model = root.model_config ?? (root as KerasLayer);
  const layers = model.config?.layers ?? [];
  const nameOf = (layer: KerasLayer): string => layer.config.name ?? layer.name ?? '';
  const byName = new Map(layers.map((layer) => [nameOf(layer), layer]));
  const sequential = model.class_name === 'Sequential';
  const index = new Map(layers.map((layer, i) => [layer, i]));
  const inputsOf = (layer: KerasLayer): string[] => {
    if (!sequential) return inboundNames(layer);
    const i = index.get(layer) ?? 0;
    return i > 0 ? [nameOf(layers[i - 1])] : [];
  };
  const readerCounts = new Map<string, number>();
  for (const layer of layers)
    for (const input of inputsOf(layer)) readerCounts.set(input, (readerCounts.get(input) ?? 0) + 1);
  return { layers, byName, nameOf, inputsOf, readers: (name) => readerCounts.get(name) ?? 0 };
}
