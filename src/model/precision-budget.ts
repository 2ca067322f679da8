/**
 * Mixed precision inside the uint8 promise: the TF.js manifest lets each tensor pick its own dtype,
 * so a uint8 model may keep its smallest kernels at uint16 as long as the whole still shrinks by
 * the promised factor.
 *
 * Smallest first, because that is where a byte buys the most accuracy: MobileNet's first layers
 * and its depthwise kernels are a few hundred weights each, every one feeding many outputs, while
 * the classifier's 256k weights average their rounding away. On the V1 0.25 fixture this keeps
 * conv1, every depthwise kernel and conv_pw_1…6 (27k weights, 6% of them) at uint16 and turns a
 * worst top-5 move of 0.065 into 0.029 while the weights stay 3.53× smaller.
 */

export interface KernelSize {
  name: string;
  elements: number;
}

/**
 * Names of the kernels to widen from 1 to 2 bytes per weight. `otherBytes` is everything written
 * besides these kernels (float32 biases and batch-norm statistics, tensors copied as they are).
 */
export function kernelsToWiden(
  kernels: KernelSize[],
  bytesBefore: number,
  otherBytes: number,
  minShrink: number,
): Set<string> {
  const limit = bytesBefore / minShrink;
  let bytes = otherBytes + kernels.reduce((sum, kernel) => sum + kernel.elements, 0);
  const widened = new Set<string>();
  // A stable sort keeps manifest order among equal sizes, so the choice is reproducible.
  for (const kernel of [...kernels].sort((a, b) => a.elements - b.elements)) {
    if (bytes + kernel.elements > limit) break;
    bytes += kernel.elements;
    widened.add(kernel.name);
  }
  return widened;
}
