import type { Activation, GraphOp, Padding, WeightTensor } from '../graph';
import { TfliteFormatError, TfliteUnsupportedError } from './errors';
import {
  convFilterShape,
  convFilterToTfjs,
  depthwiseFilterShape,
  fullyConnectedShape,
  fullyConnectedToTfjs,
} from './layouts';
import { lazyWeight } from './lazy-weight';
import type { Operator, TableRef } from './model-tables';
import {
  ConcatenationOptions,
  Conv2DOptions,
  DepthwiseConv2DOptions,
  ElementwiseOptions,
  FullyConnectedOptions,
  Pool2DOptions,
  ReducerOptions,
  ReshapeOptions,
  SoftmaxOptions,
  SqueezeOptions,
} from './options-tables';
import {
  ACTIVATION_NAMES,
  ActivationFunctionType,
  BuiltinOperator,
  Padding as TflitePadding,
  builtinOperatorName,
} from './schema-enums';
import type { TensorTable } from './tensor-table';

/** What a translator needs besides the operator itself. */
export interface TranslateContext {
  tensors: TensorTable;
  /** The graph name of an operand; a constant operand is added to the graph's constants. */
  operand(index: number): string;
}

/** One TFLite operator → one graph op, or undefined when it folds into a constant at import. */
type Translator = (op: Operator, context: TranslateContext, where: string) => GraphOp | undefined;

function activation(code: number, where: string): Activation {
  if (code === ActivationFunctionType.NONE) return 'none';
  if (code === ActivationFunctionType.RELU) return 'relu';
  if (code === ActivationFunctionType.RELU6) return 'relu6';
  throw new TfliteUnsupportedError(
    `${where}: fused activation ${ACTIVATION_NAMES[code] ?? code} is not supported (valid: NONE, RELU, RELU6)`,
  );
}

function padding(code: number, where: string): Padding {
  if (code === TflitePadding.SAME) return 'same';
  if (code === TflitePadding.VALID) return 'valid';
  throw new TfliteFormatError(`${where}: padding ${code} is neither SAME (0) nor VALID (1)`);
}

function options(op: Operator, where: string): TableRef {
  const ref = op.builtinOptions();
  if (!ref) throw new TfliteFormatError(`${where}: the operator has no builtin options`);
  return ref;
}

function input(op: Operator, position: number, where: string): number {
  const index = op.inputs()[position];
  if (index === undefined || index < 0) throw new TfliteFormatError(`${where}: input ${position} is missing`);
  return index;
}

function output(op: Operator, context: TranslateContext, where: string): string {
  const outputs = op.outputs();
  if (outputs.length !== 1)
    throw new TfliteUnsupportedError(`${where}: ${outputs.length} outputs, only single-output operators are supported`);
  context.tensors.tensor(outputs[0], where);
  return context.tensors.graphName(outputs[0]);
}

/** Turns a negative axis into its positive equivalent for a tensor of `rank` dimensions. */
function positiveAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** An optional int32 bias: real = q × input scale × weight scale (per channel when the weights are). */
function bias(op: Operator, context: TranslateContext, where: string): WeightTensor | undefined {
  const index = op.inputs()[2];
  if (index === undefined || index < 0) return undefined;
  const { tensors } = context;
  const inputAffine = tensors.affine(input(op, 0, where));
  const weightAffine = tensors.affine(input(op, 1, where));
  const scales = inputAffine && weightAffine ? weightAffine.scales.map((s) => s * inputAffine.scales[0]) : undefined;
  return lazyWeight(tensors.shape(index), tensors.deferredValues(index, scales));
}

/** The weights' scales when they are stored as integers, so the engine can accumulate exactly. */
function weightScales(context: TranslateContext, weightsIndex: number): { weightScales?: number[] } {
  const affine = context.tensors.affine(weightsIndex);
  return affine && context.tensors.isInteger(weightsIndex) ? { weightScales: affine.scales } : {};
}

function conv2d(op: Operator, context: TranslateContext, where: string): GraphOp {
  const o = new Conv2DOptions(options(op, where), `${where} Conv2DOptions`);
  const filterIndex = input(op, 1, where);
  const filterShape = context.tensors.shape(filterIndex);
  const values = context.tensors.deferredValues(filterIndex);
  const filter = lazyWeight(convFilterShape(filterShape), () => convFilterToTfjs(values(), filterShape));
  return {
    op: 'conv2d',
    inputs: [context.operand(input(op, 0, where))],
    output: output(op, context, where),
    filter,
    bias: bias(op, context, where),
    ...weightScales(context, filterIndex),
    strides: [o.strideH(), o.strideW()],
    padding: padding(o.padding(), where),
    dilations: [o.dilationHFactor(), o.dilationWFactor()],
    activation: activation(o.fusedActivationFunction(), where),
  };
}

function depthwiseConv2d(op: Operator, context: TranslateContext, where: string): GraphOp {
  const o = new DepthwiseConv2DOptions(options(op, where), `${where} DepthwiseConv2DOptions`);
  const inputIndex = input(op, 0, where);
  const filterIndex = input(op, 1, where);
  const filterShape = context.tensors.shape(filterIndex);
  const inChannels = context.tensors.shape(inputIndex)[3];
  // Newer converters may leave depth_multiplier at 0; the shapes decide.
  const multiplier = inChannels > 0 ? filterShape[3] / inChannels : o.depthMultiplier();
  if (!Number.isInteger(multiplier) || multiplier < 1) {
    throw new TfliteFormatError(
      `${where}: filter shape [${filterShape.join(', ')}] does not fit ${inChannels} input channels`,
    );
  }
  return {
    op: 'depthwiseConv2d',
    inputs: [context.operand(inputIndex)],
    output: output(op, context, where),
    filter: lazyWeight(depthwiseFilterShape(filterShape, multiplier), context.tensors.deferredValues(filterIndex)),
    bias: bias(op, context, where),
    ...weightScales(context, filterIndex),
    strides: [o.strideH(), o.strideW()],
    padding: padding(o.padding(), where),
    dilations: [o.dilationHFactor(), o.dilationWFactor()],
    activation: activation(o.fusedActivationFunction(), where),
  };
}

function fullyConnected(op: Operator, context: TranslateContext, where: string): GraphOp {
  const o = new FullyConnectedOptions(options(op, where), `${where} FullyConnectedOptions`);
  if (o.weightsFormat() !== 0)
    throw new TfliteUnsupportedError(
      `${where}: shuffled FULLY_CONNECTED weights are not supported (valid weights_format: DEFAULT)`,
    );
  const weightsIndex = input(op, 1, where);
  const weightsShape = context.tensors.shape(weightsIndex);
  const values = context.tensors.deferredValues(weightsIndex);
  return {
    op: 'fullyConnected',
    inputs: [context.operand(input(op, 0, where))],
    output: output(op, context, where),
    weights: lazyWeight(fullyConnectedShape(weightsShape), () => fullyConnectedToTfjs(values(), weightsShape)),
    bias: bias(op, context, where),
    ...weightScales(context, weightsIndex),
    activation: activation(o.fusedActivationFunction(), where),
  };
}

function elementwise(kind: 'add' | 'mul'): Translator {
  return (op, context, where) => {
    const ref = op.builtinOptions();
    const fused = ref
      ? new ElementwiseOptions(ref, `${where} options`).fusedActivationFunction()
      : ActivationFunctionType.NONE;
    return {
      op: kind,
      inputs: [context.operand(input(op, 0, where)), context.operand(input(op, 1, where))],
      output: output(op, context, where),
      activation: activation(fused, where),
    };
  };
}

function pool(kind: 'avgPool' | 'maxPool'): Translator {
  return (op, context, where) => {
    const o = new Pool2DOptions(options(op, where), `${where} Pool2DOptions`);
    return {
      op: kind,
      inputs: [context.operand(input(op, 0, where))],
      output: output(op, context, where),
      filterSize: [o.filterHeight(), o.filterWidth()],
      strides: [o.strideH(), o.strideW()],
      padding: padding(o.padding(), where),
      activation: activation(o.fusedActivationFunction(), where),
    };
  };
}

function mean(op: Operator, context: TranslateContext, where: string): GraphOp {
  const inputIndex = input(op, 0, where);
  const rank = context.tensors.shape(inputIndex).length;
  const ref = op.builtinOptions();
  return {
    op: 'mean',
    inputs: [context.operand(inputIndex)],
    output: output(op, context, where),
    axes: context.tensors.integers(input(op, 1, where)).map((axis) => positiveAxis(axis, rank)),
    keepDims: ref ? new ReducerOptions(ref, `${where} ReducerOptions`).keepDims() : false,
  };
}

function reshape(op: Operator, context: TranslateContext, where: string): GraphOp {
  const outputIndex = op.outputs()[0];
  // The output tensor's shape is the answer when it is static; otherwise the options or the
  // shape operand say it.
  let shape = outputIndex !== undefined ? context.tensors.shape(outputIndex) : [];
  if (shape.length === 0 || shape.some((d) => d < 0)) {
    const ref = op.builtinOptions();
    const fromOptions = ref ? new ReshapeOptions(ref, `${where} ReshapeOptions`).newShape() : [];
    const shapeIndex = op.inputs()[1];
    shape =
      fromOptions.length > 0 || shapeIndex === undefined || shapeIndex < 0
        ? fromOptions
        : context.tensors.integers(shapeIndex);
  }
  return { op: 'reshape', inputs: [context.operand(input(op, 0, where))], output: output(op, context, where), shape };
}

function squeeze(op: Operator, context: TranslateContext, where: string): GraphOp {
  const inputIndex = input(op, 0, where);
  const rank = context.tensors.shape(inputIndex).length;
  const ref = op.builtinOptions();
  const dims = ref ? new SqueezeOptions(ref, `${where} SqueezeOptions`).squeezeDims() : [];
  return {
    op: 'squeeze',
    inputs: [context.operand(inputIndex)],
    output: output(op, context, where),
    axes: dims.map((d) => positiveAxis(d, rank)),
  };
}

function softmax(op: Operator, context: TranslateContext, where: string): GraphOp {
  const ref = op.builtinOptions();
  const beta = ref ? new SoftmaxOptions(ref, `${where} SoftmaxOptions`).beta() : 1;
  return {
    op: 'softmax',
    inputs: [context.operand(input(op, 0, where))],
    output: output(op, context, where),
    beta: beta === 0 ? 1 : beta,
  };
}

function unary(kind: 'logistic' | 'hardSwish' | 'identity'): Translator {
  return (op, context, where) => ({
    op: kind,
    inputs: [context.operand(input(op, 0, where))],
    output: output(op, context, where),
  });
}

function pad(op: Operator, context: TranslateContext, where: string): GraphOp {
  const flat = context.tensors.integers(input(op, 1, where));
  const paddings: Array<[number, number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) paddings.push([flat[i], flat[i + 1]]);
  return { op: 'pad', inputs: [context.operand(input(op, 0, where))], output: output(op, context, where), paddings };
}

function concatenation(op: Operator, context: TranslateContext, where: string): GraphOp {
  const o = new ConcatenationOptions(options(op, where), `${where} ConcatenationOptions`);
  const out = op.outputs()[0];
  const rank = out === undefined ? 4 : context.tensors.shape(out).length;
  return {
    op: 'concat',
    inputs: op.inputs().map((index) => context.operand(index)),
    output: output(op, context, where),
    axis: positiveAxis(o.axis(), rank),
    activation: activation(o.fusedActivationFunction(), where),
  };
}

/** DEQUANTIZE of a constant (float16 or int8 weights) folds away; otherwise it passes real values on. */
function dequantizeOp(op: Operator, context: TranslateContext, where: string): GraphOp | undefined {
  const source = input(op, 0, where);
  if (context.tensors.isConstant(source)) {
    const target = op.outputs()[0];
    if (target === undefined) throw new TfliteFormatError(`${where}: DEQUANTIZE has no output`);
    context.tensors.fold(target, context.tensors.deferredValues(source));
    return undefined;
  }
  return unary('identity')(op, context, where);
}

const TRANSLATORS: Record<number, Translator> = {
  [BuiltinOperator.CONV_2D]: conv2d,
  [BuiltinOperator.DEPTHWISE_CONV_2D]: depthwiseConv2d,
  [BuiltinOperator.FULLY_CONNECTED]: fullyConnected,
  [BuiltinOperator.ADD]: elementwise('add'),
  [BuiltinOperator.MUL]: elementwise('mul'),
  [BuiltinOperator.AVERAGE_POOL_2D]: pool('avgPool'),
  [BuiltinOperator.MAX_POOL_2D]: pool('maxPool'),
  [BuiltinOperator.MEAN]: mean,
  [BuiltinOperator.RESHAPE]: reshape,
  [BuiltinOperator.SQUEEZE]: squeeze,
  [BuiltinOperator.SOFTMAX]: softmax,
  [BuiltinOperator.LOGISTIC]: unary('logistic'),
  [BuiltinOperator.HARD_SWISH]: unary('hardSwish'),
  [BuiltinOperator.PAD]: pad,
  [BuiltinOperator.CONCATENATION]: concatenation,
  // Values are real inside the graph; the output's requantize grid does the quantising.
  [BuiltinOperator.QUANTIZE]: unary('identity'),
  [BuiltinOperator.DEQUANTIZE]: dequantizeOp,
};

export const SUPPORTED_OPERATORS = Object.keys(TRANSLATORS).map((code) => builtinOperatorName(Number(code)));

/** Translates operator `index` whose builtin code is `code`; unknown ops are named in the error. */
export function translateOperator(
  op: Operator,
  code: number,
  customCode: string | undefined,
  context: TranslateContext,
): GraphOp | undefined {
  const name = code === BuiltinOperator.CUSTOM ? `CUSTOM "${customCode ?? ''}"` : builtinOperatorName(code);
  const where = `Operator ${op.index} (${name})`;
  const translator = TRANSLATORS[code];
  if (!translator) {
    throw new TfliteUnsupportedError(
      `Unsupported TFLite operator ${name} at operator index ${op.index}; supported: ${SUPPORTED_OPERATORS.join(', ')}`,
    );
  }
  return translator(op, context, where);
}
