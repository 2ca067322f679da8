/**
 * TFLite → TF.js weight layouts. TFLite stores conv filters output-channel first, TF.js wants
 * them last; depthwise filters differ only in how the channel axis is split. Shapes and values
 * apart, so a graph can be described without touching its weights (lazy-weight.ts).
 */

/** CONV_2D filter [out, kh, kw, in] → tf.conv2d filter [kh, kw, in, out]: the shape. */
export function convFilterShape(shape: number[]): number[] {
  const [out, kh, kw, cin] = shape;
  return [kh, kw, cin, out];
}

/** CONV_2D filter [out, kh, kw, in] → tf.conv2d filter [kh, kw, in, out]: the values. */
export function convFilterToTfjs(values: Float32Array, shape: number[]): Float32Array {
  const [out, kh, kw, cin] = shape;
  const result = new Float32Array(values.length);
  const perOut = kh * kw * cin;
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < perOut; k++) result[k * out + o] = values[o * perOut + k];
  }
  return result;
}

/**
 * DEPTHWISE_CONV_2D filter [1, kh, kw, in * multiplier] → tf.depthwiseConv2d [kh, kw, in, multiplier].
 * TFLite's channel c * multiplier + m is TF.js's [c][m], so the values stay where they are.
 */
export function depthwiseFilterShape(shape: number[], multiplier: number): number[] {
  const [, kh, kw, channels] = shape;
  return [kh, kw, channels / multiplier, multiplier];
}

/** FULLY_CONNECTED weights [out, in] → tf.matMul right operand [in, out]: the shape. */
export function fullyConnectedShape(shape: number[]): number[] {
  const [out, cin] = shape;
  return [cin, out];
}

/** FULLY_CONNECTED weights [out, in] → tf.matMul right operand [in, out]: the values. */
export function fullyConnectedToTfjs(values: Float32Array, shape: number[]): Float32Array {
  const [out, cin] = shape;
  const result = new Float32Array(values.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < cin; i++) result[i * out + o] = values[o * cin + i];
  }
  return result;
}
