import { adopt, release } from './ledger';
import { type LiteRtModule, type LiteRtRuntime, loadLiteRtRuntime } from './runtime';
import type { PrecompiledLiteRt } from './shared-wasm';

type CompiledModel = InstanceType<LiteRtModule['CompiledModel']>;
type Tensor = InstanceType<LiteRtModule['Tensor']>;
type TensorData = Parameters<LiteRtModule['Tensor']['fromTypedArray']>[0];

/** The element types LiteRT.js 2.5 can pass in and out of a model (int8 is not one of them). */
export type LiteRtDtype = 'float32' | 'int32' | 'uint8';

/** One input or output tensor of a compiled model. */
export interface TfliteTensorInfo {
  name: string;
  dtype: LiteRtDtype;
  shape: number[];
}

/** One output of a run, copied out of wasm memory. */
export interface TfliteOutput extends TfliteTensorInfo {
  data: Float32Array | Int32Array | Uint8Array;
}

const ARRAY_OF: Record<LiteRtDtype, Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor> = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
};

/** `values` as the typed array `dtype` needs: used as is when it already is one, else converted element-wise. */
function asDtype(values: ArrayLike<number>, dtype: LiteRtDtype): Float32Array | Int32Array | Uint8Array {
  const Typed = ARRAY_OF[dtype];
  return values instanceof Typed ? values : Typed.from(values);
}

/**
 * A `.tflite` flatbuffer compiled by LiteRT.js (XNNPACK on wasm) inside this worker thread. Every
 * tensor a run creates is deleted before the run returns; `delete()` frees the model.
 */
export class CompiledTflite {
  private constructor(
    private readonly model: CompiledModel,
    private readonly lib: LiteRtModule,
    readonly runtime: LiteRtRuntime,
    readonly inputs: TfliteTensorInfo[],
    readonly outputs: TfliteTensorInfo[],
  ) {}

  /**
   * Loads LiteRT.js if needed (from `precompiled` when given: shared-wasm.ts) and compiles `bytes` for the wasm
   * CPU accelerator.
   */
  static async compile(
    bytes: Uint8Array,
    precompiled?: PrecompiledLiteRt | Promise<PrecompiledLiteRt | undefined>,
  ): Promise<CompiledTflite> {
    const runtime = await loadLiteRtRuntime(await precompiled);
    const model = adopt(await runtime.lib.loadAndCompile(bytes, { accelerator: 'wasm' }));
    try {
      const describe = (details: ReturnType<CompiledModel['getInputDetails']>): TfliteTensorInfo[] =>
        details.map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] }));
      return new CompiledTflite(
        model,
        runtime.lib,
        runtime,
        describe(model.getInputDetails()),
        describe(model.getOutputDetails()),
      );
    } catch (error) {
      release(model);
      throw error;
    }
  }

  /** One pass: one array per model input (in the model's order), converted to its dtype. */
  async run(inputs: ArrayLike<number>[]): Promise<TfliteOutput[]> {
    if (inputs.length !== this.inputs.length) {
      throw new Error(`The model takes ${this.inputs.length} input(s); ${inputs.length} given`);
    }
    const tensors: Tensor[] = [];
    let outputs: Tensor[] = [];
    try {
      for (let i = 0; i < inputs.length; i++) {
        const { dtype, shape } = this.inputs[i];
        const size = shape.reduce((a, b) => a * b, 1);
        if (inputs[i].length !== size) {
          throw new Error(
            `Input ${i} of the model has ${size} values (shape [${shape.join(', ')}]); ${inputs[i].length} given`,
          );
        }
        tensors.push(adopt(new this.lib.Tensor(asDtype(inputs[i], dtype) as TensorData, shape)));
      }
      outputs = (await this.model.run(tensors)).map(adopt);
      return outputs.map((tensor, i) => ({ ...this.outputs[i], data: tensor.toTypedArray() as TfliteOutput['data'] }));
    } finally {
      for (const tensor of [...tensors, ...outputs]) release(tensor);
    }
  }

  delete(): void {
    release(this.model);
  }
}
