export { ImageError, isImageError, type ImageErrorCode } from './errors';
export { toImageInput, type RawGeometry } from './input';
export { normalize } from './normalize';
export { DEFAULT_MAX_PIXELS, FIT_MODES, RESIZE_KERNELS } from './options';
export { prepareImage } from './preprocess';
export { maxConcurrentDecodes, setMaxConcurrentDecodes } from './sharp-runtime';
export type {
  AlphaBackground,
  FitMode,
  ImageInput,
  PreparedImage,
  PreprocessOptions,
  RawImage,
  ResizeKernel,
  Roi,
} from './types';
export { DEFAULT_MAX_METADATA_BYTES } from './metadata-budget';
export { DEFAULT_MAX_FILE_BYTES, readImageFile, type ReadImageFileOptions } from './read-image-file';
