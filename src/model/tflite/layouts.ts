/**
 * TFLite → TF.js weight layouts. TFLite stores conv filters output-channel first, TF.js wants
 * them last; depthwise filters differ only in how the channel axis is split.
 */

/** CONV_2D filter [out, kh, kw, in] → tf.conv2d filter [kh, kw, in, out]. */
export function convFilterToTfjs(values: Float32Array, shape: number[]): { values: Float32Array; shape: number[] } {
  const [out, kh, kw, cin] = shape;
  const result = new Float32Array(values.length);
  const perOut = kh * kw * cin;
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < perOut; k++) result[k * out + o] = values[o * perOut + k];
  }
  return { values: result, shape: [kh, kw, cin, out] };
}

/**
 * DEPTHWISE_CONV_2D filter [1, kh, kw, in * multiplier] → tf.depthwiseConv2d [kh, kw, in, multiplier].
 * TFLite's channel c * multiplier + m is TF.js's [c][m], so the bytes stay where they are.
 */
export function depthwiseFilterToTfjs(
  values: Float32Array,
  shape: number[],
  multiplier: number,
): { values: Float32Array; shape: number[] } {
  const [, kh, kw, channels] = shape;
  return { values, shape: [kh, kw, channels / multiplier, multiplier] };
}

/** FULLY_CONNECTED weights [out, in] → tf.matMul right operand [in, out]. */
export function fullyConnectedToTfjs(values: Float32Array, shape: number[]): { values: Float32Array; shape: number[] } {
  const [out, cin] = shape;
  const result = new Float32Array(values.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < cin; i++) result[i * out + o] = values[o * cin + i];
  }
  return { values: result, shape: [cin, out] };
}
