/** Output height/width of a 'same'-padded convolution or pool: ceil(size / stride), as TF computes it. */
export function sameOutputSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}
