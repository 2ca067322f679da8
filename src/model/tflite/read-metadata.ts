import { TfliteFormatError, TfliteUnsupportedError } from './errors';
import { type AssociatedFile, AssociatedFileType, METADATA_BUFFER_NAME, ModelMetadata } from './metadata-tables';
import type { Model } from './model-tables';
import { readAppendedZip } from './appended-zip';

/** What the importer takes from the TFLite metadata and the zip appended to the model. */
export interface TfliteMetadataSummary {
  name?: string;
  description?: string;
  /** From the input's NormalizationOptions: real = (pixel - mean) / std. */
  normalization?: { mean: number; std: number };
  labels?: string[];
}

function parseLabels(content: Uint8Array): string[] {
  const lines = new TextDecoder()
    .decode(content)
    .split('\n')
    .map((line) => line.replace(/\r$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function singleValue(values: number[], what: string): number | undefined {
  if (values.length === 0) return undefined;
  if (values.some((v) => v !== values[0])) {
    throw new TfliteUnsupportedError(
      `The model's input normalisation has a different ${what} per channel ` +
        `([${values.map((v) => Number(v.toPrecision(7))).join(', ')}]); only one value for all channels is supported`,
    );
  }
  return values[0];
}

/** Label files named by the metadata, axis labels of the output first. */
function labelFileNames(metadata: ModelMetadata | undefined): string[] {
  if (!metadata) return [];
  const files: AssociatedFile[] = [];
  for (const subgraph of metadata.subgraphMetadata()) {
    for (const output of subgraph.outputTensorMetadata()) files.push(...output.associatedFiles());
    files.push(...subgraph.associatedFiles());
  }
  files.push(...metadata.associatedFiles());
  const names: string[] = [];
  for (const file of files) {
    const name = file.name();
    if (name && file.type() === AssociatedFileType.TENSOR_AXIS_LABELS && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * Reads the TFLITE_METADATA buffer (description, normalisation, label file name) and the label
 * file from the appended zip. Without metadata, a zip holding a single .txt file still gives labels.
 */
export function readTfliteMetadata(model: Model, bytes: Uint8Array): TfliteMetadataSummary {
  const summary: TfliteMetadataSummary = {};
  let metadata: ModelMetadata | undefined;
  const entry = model.metadata().find((m) => m.name() === METADATA_BUFFER_NAME);
  const data = entry ? model.buffers()[entry.buffer()]?.data() : undefined;
  if (data) metadata = ModelMetadata.fromBytes(data);

  if (metadata) {
    summary.name = metadata.name();
    summary.description = metadata.description();
    const input = metadata.subgraphMetadata()[0]?.inputTensorMetadata()[0];
    for (const unit of input?.processUnits() ?? []) {
      const normalization = unit.normalization();
      if (!normalization) continue;
      const mean = singleValue(normalization.mean(), 'mean');
      const std = singleValue(normalization.std(), 'std');
      if (mean !== undefined && std !== undefined && std !== 0) summary.normalization = { mean, std };
    }
  }

  const zip = readAppendedZip(bytes);
  const wanted = labelFileNames(metadata);
  const labelEntry =
    zip.find((file) => wanted.includes(file.name)) ??
    (wanted.length === 0 && zip.length === 1 && zip[0].name.endsWith('.txt') ? zip[0] : undefined);
  if (!labelEntry && wanted.length > 0) {
    // The metadata promises a label file: its absence means the appended zip was cut off.
    throw new TfliteFormatError(
      `TFLite file is truncated or corrupt: its metadata names the label file "${wanted[0]}", but the zip appended ` +
        `to the model ${zip.length === 0 ? 'is missing' : 'does not hold it'}`,
    );
  }
  if (labelEntry) summary.labels = parseLabels(labelEntry.read());
  return summary;
}
