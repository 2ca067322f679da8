import { ByteBuffer } from 'flatbuffers';
import { CheckedTable } from './checked-table';
import { TfliteFormatError } from './errors';

/*
 * Accessors for the TFLite metadata flatbuffer ("M001", tensorflow_lite_support/metadata/
 * metadata_schema.fbs) stored in the model buffer named TFLITE_METADATA. It carries the
 * description, the input normalisation and the names of the files zipped onto the model.
 */

export const METADATA_BUFFER_NAME = 'TFLITE_METADATA';
export const METADATA_FILE_IDENTIFIER = 'M001';

export const AssociatedFileType = {
  UNKNOWN: 0,
  DESCRIPTIONS: 1,
  TENSOR_AXIS_LABELS: 2,
  TENSOR_VALUE_LABELS: 3,
  TENSOR_AXIS_SCORE_CALIBRATION: 4,
  VOCABULARY: 5,
} as const;

const PROCESS_UNIT_NORMALIZATION = 1;

export class AssociatedFile extends CheckedTable {
  name(): string | undefined {
    return this.string(0);
  }
  description(): string | undefined {
    return this.string(1);
  }
  type(): number {
    return this.int8(2, 0);
  }
  locale(): string | undefined {
    return this.string(3);
  }
}

export class NormalizationOptions extends CheckedTable {
  mean(): number[] {
    return this.float32s(0);
  }
  std(): number[] {
    return this.float32s(1);
  }
}

export class ProcessUnit extends CheckedTable {
  optionsType(): number {
    return this.uint8(0, 0);
  }
  normalization(): NormalizationOptions | undefined {
    if (this.optionsType() !== PROCESS_UNIT_NORMALIZATION) return undefined;
    return this.table(1, (bb, at) => new NormalizationOptions(bb, at, `${this.what} normalization`));
  }
}

export class TensorMetadata extends CheckedTable {
  name(): string | undefined {
    return this.string(0);
  }
  description(): string | undefined {
    return this.string(1);
  }
  // ids 2 (dimension_names) and 3 (content) are not needed.
  processUnits(): ProcessUnit[] {
    return this.tables(4, (bb, at, i) => new ProcessUnit(bb, at, `${this.what} process unit ${i}`));
  }
  associatedFiles(): AssociatedFile[] {
    return this.tables(6, (bb, at, i) => new AssociatedFile(bb, at, `${this.what} file ${i}`));
  }
}

export class SubGraphMetadata extends CheckedTable {
  name(): string | undefined {
    return this.string(0);
  }
  description(): string | undefined {
    return this.string(1);
  }
  inputTensorMetadata(): TensorMetadata[] {
    return this.tables(2, (bb, at, i) => new TensorMetadata(bb, at, `input metadata ${i}`));
  }
  outputTensorMetadata(): TensorMetadata[] {
    return this.tables(3, (bb, at, i) => new TensorMetadata(bb, at, `output metadata ${i}`));
  }
  associatedFiles(): AssociatedFile[] {
    return this.tables(4, (bb, at, i) => new AssociatedFile(bb, at, `subgraph file ${i}`));
  }
}

export class ModelMetadata extends CheckedTable {
  name(): string | undefined {
    return this.string(0);
  }
  description(): string | undefined {
    return this.string(1);
  }
  version(): string | undefined {
    return this.string(2);
  }
  subgraphMetadata(): SubGraphMetadata[] {
    return this.tables(3, (bb, at, i) => new SubGraphMetadata(bb, at, `subgraph metadata ${i}`));
  }
  author(): string | undefined {
    return this.string(4);
  }
  license(): string | undefined {
    return this.string(5);
  }
  associatedFiles(): AssociatedFile[] {
    return this.tables(6, (bb, at, i) => new AssociatedFile(bb, at, `model file ${i}`));
  }

  static fromBytes(bytes: Uint8Array): ModelMetadata {
    if (bytes.length < 8)
      throw new TfliteFormatError(`TFLite metadata buffer is ${bytes.length} bytes, too short to be a flatbuffer`);
    const bb = new ByteBuffer(bytes);
    if (!bb.__has_identifier(METADATA_FILE_IDENTIFIER)) {
      throw new TfliteFormatError(`TFLite metadata buffer lacks the "${METADATA_FILE_IDENTIFIER}" identifier`);
    }
    return new ModelMetadata(bb, bb.readUint32(0), 'ModelMetadata');
  }
}
