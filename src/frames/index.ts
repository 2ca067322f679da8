export * from './frame';
export { createFrameSource } from './create-frame-source';
export { JpegSplitter, type FrameSplitter, type SplitterStats } from './jpeg-splitter';
export { MultipartJpegSplitter, boundaryFromContentType } from './multipart-splitter';
export { LatestFrameGate, type GateOptions } from './latest-frame-gate';
export { looksLikeCompleteJpeg } from './jpeg-check';
export { readRegularFile, checkRegularFile, RefusedFile } from './read-regular-file';
