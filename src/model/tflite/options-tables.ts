import { CheckedTable } from './checked-table';
import type { TableRef } from './model-tables';

/*
 * Accessors for the builtin options of the operators the importer translates (field ids and
 * defaults from tensorflow/lite/schema/schema.fbs). Absent options read as the schema defaults.
 */

abstract class OptionsTable extends CheckedTable {
  constructor(ref: TableRef, what: string) {
    super(ref.bb, ref.position, what);
  }
}

export class Conv2DOptions extends OptionsTable {
  padding(): number {
    return this.int8(0, 0);
  }
  strideW(): number {
    return this.int32(1, 0);
  }
  strideH(): number {
    return this.int32(2, 0);
  }
  fusedActivationFunction(): number {
    return this.int8(3, 0);
  }
  dilationWFactor(): number {
    return this.int32(4, 1);
  }
  dilationHFactor(): number {
    return this.int32(5, 1);
  }
}

export class DepthwiseConv2DOptions extends OptionsTable {
  padding(): number {
    return this.int8(0, 0);
  }
  strideW(): number {
    return this.int32(1, 0);
  }
  strideH(): number {
    return this.int32(2, 0);
  }
  depthMultiplier(): number {
    return this.int32(3, 0);
  }
  fusedActivationFunction(): number {
    return this.int8(4, 0);
  }
  dilationWFactor(): number {
    return this.int32(5, 1);
  }
  dilationHFactor(): number {
    return this.int32(6, 1);
  }
}

export class Pool2DOptions extends OptionsTable {
  padding(): number {
    return this.int8(0, 0);
  }
  strideW(): number {
    return this.int32(1, 0);
  }
  strideH(): number {
    return this.int32(2, 0);
  }
  filterWidth(): number {
    return this.int32(3, 0);
  }
  filterHeight(): number {
    return this.int32(4, 0);
  }
  fusedActivationFunction(): number {
    return this.int8(5, 0);
  }
}

export class FullyConnectedOptions extends OptionsTable {
  fusedActivationFunction(): number {
    return this.int8(0, 0);
  }
  /** 0 = DEFAULT; 1 = SHUFFLED4x16INT8, a kernel-specific layout the importer refuses. */
  weightsFormat(): number {
    return this.int8(1, 0);
  }
  keepNumDims(): boolean {
    return this.bool(2, false);
  }
}

export class SoftmaxOptions extends OptionsTable {
  beta(): number {
    return this.float32(0, 0);
  }
}

export class ConcatenationOptions extends OptionsTable {
  axis(): number {
    return this.int32(0, 0);
  }
  fusedActivationFunction(): number {
    return this.int8(1, 0);
  }
}

/** AddOptions and MulOptions share this layout for the field the importer needs. */
export class ElementwiseOptions extends OptionsTable {
  fusedActivationFunction(): number {
    return this.int8(0, 0);
  }
}

export class ReshapeOptions extends OptionsTable {
  newShape(): number[] {
    return this.int32s(0);
  }
}

export class ReducerOptions extends OptionsTable {
  keepDims(): boolean {
    return this.bool(0, false);
  }
}

export class SqueezeOptions extends OptionsTable {
  squeezeDims(): number[] {
    return this.int32s(0);
  }
}
