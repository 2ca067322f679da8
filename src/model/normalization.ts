/** pixel → model input: real = pixel * scale + offset. */
export interface Normalization {
  scale: number;
  offset: number;
}

/** Keras MobileNet `preprocess_input` and Teachable Machine: x / 127.5 - 1. */
export const MINUS_ONE_TO_ONE: Normalization = { scale: 1 / 127.5, offset: -1 };
