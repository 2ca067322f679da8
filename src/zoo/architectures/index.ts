import { mobilenetV1 } from './mobilenet-v1';
import { mobilenetV2 } from './mobilenet-v2';
import type { ArchitectureName, ArchitectureOptions, Network } from './types';

export type { ArchitectureName, ArchitectureOptions, LayerKind, Network, NetworkLayer, Shape3 } from './types';
export { MOBILENET_V1_TABLE } from './mobilenet-v1';
export { MOBILENET_V2_TABLE } from './mobilenet-v2';
export { makeDivisible, v1Channels } from './channel-rounding';

export const ARCHITECTURES: readonly ArchitectureName[] = ['v1', 'v2'];
export const MAX_ALPHA = 1.4;
/** The smallest input the Keras reference implementations accept. */
export const MIN_RESOLUTION = 32;

/** Defaults for anything not given: the ImageNet MobileNet V1 1.0 at 224. */
export function withDefaults(options: Partial<ArchitectureOptions>): ArchitectureOptions {
  return {
    arch: options.arch ?? 'v1',
    alpha: options.alpha ?? 1,
    resolution: options.resolution ?? 224,
    classes: options.classes ?? 1000,
  };
}

/** Throws a RangeError naming the bad value and the valid ones. */
export function validateArchitectureOptions(options: ArchitectureOptions): void {
  const { arch, alpha, resolution, classes } = options;
  if (!ARCHITECTURES.includes(arch)) {
    throw new RangeError(
      `Unknown MobileNet architecture "${String(arch)}": valid values are ${ARCHITECTURES.join(', ')}`,
    );
  }
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0 || alpha > MAX_ALPHA) {
    throw new RangeError(`Width multiplier alpha must be a number in (0, ${MAX_ALPHA}], got ${String(alpha)}`);
  }
  if (!Number.isInteger(resolution) || resolution < MIN_RESOLUTION) {
    throw new RangeError(
      `Input resolution must be an integer of at least ${MIN_RESOLUTION} pixels (e.g. 224, 192, 160, 128), got ` +
        `${String(resolution)}`,
    );
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(`Number of classes must be a positive integer, got ${String(classes)}`);
  }
}

/** The network for one architecture, width multiplier, resolution and class count. */
export function expandArchitecture(options: ArchitectureOptions): Network {
  validateArchitectureOptions(options);
  return options.arch === 'v1' ? mobilenetV1(options) : mobilenetV2(options);
}
