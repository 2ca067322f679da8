export type { Frame, FrameSource, FrameSourceEvents, FrameSourceState, FrameSourceStats, RestartPolicy } from './frame';
export type { CommandSourceConfig, CommonSourceConfig, MjpegUrlSourceConfig, SnapshotUrlSourceConfig } from './frame';
export type { FolderRetention, FolderSourceConfig, FrameSourceConfig } from './frame';
export {
  DEFAULT_FOLDER_RESCAN_MS,
  DEFAULT_MAX_FOLDER_FILE_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_RESTART,
} from './frame';
export { createFrameSource } from './create-frame-source';
export { JpegSplitter, type FrameSplitter, type SplitterStats } from './jpeg-splitter';
export { MultipartJpegSplitter, boundaryFromContentType } from './multipart-splitter';
export { LatestFrameGate, type GateOptions } from './latest-frame-gate';
export { looksLikeCompleteJpeg } from './jpeg-check';
export { readRegularFile, checkRegularFile, RefusedFile } from './read-regular-file';
