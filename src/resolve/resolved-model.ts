import type { ModelFormat } from '../model/model-format';
import type { Normalization } from '../model/normalization';
import type { DownloadProgress } from '../store/download';
import type { CatalogEntry } from '../zoo/catalog';

/** What a user names when asking for a model. */
export interface ModelOptions {
  /** A catalog name, a directory with model.json, a .tflite file, or an http(s) URL to either. */
  model: string;
  /** A labels file (one per line) or the labels themselves; overrides what the model carries. */
  labels?: string | string[];
  /** Overrides the input normalisation the model or catalog dictates. */
  normalization?: Normalization;
  cacheDir?: string;
  onProgress?(progress: DownloadProgress): void;
}

/** A model found on local disk, with everything known about it before it is loaded. */
export interface ResolvedModel {
  name: string;
  format: ModelFormat;
  /** Directory with model.json, or the .tflite file. */
  localPath: string;
  /** Undefined when the model itself carries them (TFLite metadata) or none were found. */
  labels?: string[];
  labelsSource: string;
  normalization?: Normalization;
  /** The catalog entry, when the user named a catalog model. */
  catalog?: CatalogEntry;
  teachableMachine: boolean;
}
