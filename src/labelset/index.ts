export { LabelSetError, isLabelSetError, type LabelSetErrorCode } from './errors';
export { LABELSET_LIMITS, UNKNOWN_LABEL, checkLabel, checkNewLabel } from './limits';
export {
  LABELSET_FILE,
  EXAMPLES_FOLDER,
  LABELSET_FORMAT_VERSION,
  type LabelSetDocument,
  type LabelSetModel,
  type StoredExample,
} from './document';
export {
  LabelSet,
  type ClassSummary,
  type EmbedFunction,
  type ExampleSummary,
  type ImportLabelSetOptions,
  type LabelSetExport,
  type LabelSetModelOptions,
  type OpenLabelSetOptions,
} from './label-set';
export {
  DEFAULT_MATCH_OPTIONS,
  MATCH_METHODS,
  type ClassScore,
  type MatchMethod,
  type MatchOptions,
  type MatchResult,
} from './matcher';
export { makeThumbnail, type ThumbnailOptions } from './thumbnail';
export { matchToPredictions } from './predictions';
