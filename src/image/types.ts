/** Decoded pixels handed over as they are (for instance a camera's raw frame). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA; interleaved, row-major. */
  channels: number;
}

/** Encoded image bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF) or raw pixels. */
export type ImageInput = Buffer | Uint8Array | RawImage;

/** Region of interest: pixels when any value > 1, else fractions of the frame. */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * How the frame (or ROI) is fitted to the model's input:
 * `cover` scales to fill and crops the centre (keeps aspect, loses the edges),
 * `fill` squashes (keeps everything, distorts aspect),
 * `contain` scales to fit and letterboxes with black (keeps both, wastes input pixels).
 */
export type FitMode = 'cover' | 'fill' | 'contain';

/**
 * sharp's resize kernels; `linear` is the default because it is closest to the PIL bilinear resize the reference inputs
 * were made with.
 */
export type ResizeKernel =
  | 'nearest'
  | 'linear'
  | 'cubic'
  | 'mitchell'
  | 'lanczos2'
  | 'lanczos3'
  | 'mks2013'
  | 'mks2021';

/** What transparent pixels are composited onto before the alpha channel is dropped. */
export type AlphaBackground = 'white' | 'black';

export interface PreprocessOptions {
  width: number;
  height: number;
  /** Default `cover`. */
  fit?: FitMode;
  roi?: Roi;
  /** Largest width × height accepted before decoding; default 50e6. Guards against decompression bombs. */
  maxPixels?: number;
  /**
   * Largest metadata (EXIF, XMP, ICC profile, PNG text, inflated) accepted before decoding;
   * default 16 MiB. Guards against PNG text-chunk bombs, which the pixel limit does not see.
   */
  maxMetadataBytes?: number;
  /** Default `linear`. */
  kernel?: ResizeKernel;
  /** Default `white`. */
  alphaBackground?: AlphaBackground;
  /**
   * Default false: an embedded ICC profile is ignored and the pixel values are taken as sRGB, as
   * TensorFlow's and PIL's decoders do (so as the models were trained and the references made).
   */
  applyIccProfile?: boolean;
}

export interface PreparedImage {
  /** height × width × 3 interleaved RGB (HWC). */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** The input as decoded: size after EXIF orientation, and its format (`raw` for raw pixels). */
  source: { width: number; height: number; format: string };
}
