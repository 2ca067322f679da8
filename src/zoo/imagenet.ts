// The class list @tensorflow-models/mobilenet ships (a dependency), so no label file is copied into
// this package. Its subpath module holds only the object, so this does not load TensorFlow.js; it is
// required by the first model that needs ImageNet's names, not by `require` of this package.
type ClassTable = typeof import('@tensorflow-models/mobilenet/dist/imagenet_classes').IMAGENET_CLASSES;
const imagenetClasses = (): ClassTable =>
  (require('@tensorflow-models/mobilenet/dist/imagenet_classes') as { IMAGENET_CLASSES: ClassTable }).IMAGENET_CLASSES;

const IMAGENET_CLASS_COUNT = 1000;

let cached: readonly string[] | undefined;

function standardClasses(): readonly string[] {
  if (cached) return cached;
  const table = imagenetClasses() as Record<number, string>;
  const names: string[] = [];
  for (let index = 0; index < IMAGENET_CLASS_COUNT; index++) {
    const name = table[index];
    if (typeof name !== 'string') {
      throw new Error(
        `@tensorflow-models/mobilenet's IMAGENET_CLASSES has no name for class ${index}; expected ` +
          `${IMAGENET_CLASS_COUNT} classes`,
      );
    }
    names.push(name);
  }
  cached = Object.freeze(names);
  return cached;
}

/**
 * ImageNet class names in model output order. 1000 = the ILSVRC-2012 classes; 1001 = the same with
 * 'background' first, as the TF-slim, TF Hub and TFLite MobileNets output them.
 */
export function imagenetLabels(classes: 1000 | 1001): string[] {
  if (classes === 1000) return [...standardClasses()];
  if (classes === 1001) return ['background', ...standardClasses()];
  throw new Error(`imagenetLabels: classes must be 1000 or 1001 (1001 = background first), got ${String(classes)}`);
}
