/**
 * Option types and validation shared by the model factories. Validation runs before any
 * tensor or layer is created and throws {@link ModelConfigError} naming the option, the
 * value found and the allowed values.
 */
import { layers as tfl, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import { torchBiasUniform, torchKaimingUniform } from './convFrontEnd.js';

/** Hidden / embedding sizes of the thesis search spaces (SPEC §4). */
export const HIDDEN_SIZES = [72, 144, 288, 576] as const;
/** A hidden size of the thesis search spaces. */
export type HiddenSize = (typeof HIDDEN_SIZES)[number];

/** Default number of output classes (KD, SD, TT, HH, CY). */
export const DEFAULT_NUM_CLASSES = 5;
/** Default number of input frequency bins (thesis filterbank at 44.1 kHz). */
export const DEFAULT_INPUT_BINS = 84;

/** Options every factory accepts. */
export interface CommonModelOptions {
  /** Output classes C (logits [batch, T, C]). @defaultValue 5 */
  numClasses?: number;
  /** Frequency bins of the input [batch, T, bins, 1]. @defaultValue 84 */
  inputBins?: number;
  /** Name of the returned model. @defaultValue the architecture name, e.g. 'crnn' */
  name?: string;
}

/**
 * `'thesis'` (default) restricts architecture sizes to the thesis search spaces;
 * `'any'` accepts any positive integer (e.g. to load a reference model trained outside them).
 */
export type SearchSpace = 'thesis' | 'any';

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Rejects option keys that the factory does not know (catches `hidden_size` for `hiddenSize`). */
export function checkKnownKeys(where: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ModelConfigError(`${where}: options must be an object, got ${describe(options)}`, { field: 'options' });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = camel !== key && known.includes(camel) ? ` (did you mean "${camel}"?)` : '';
      throw new ModelConfigError(`${where}: unknown option "${key}"${hint}; known options: ${known.join(', ')}`, { field: key });
    }
  }
}

/** Returns `value ?? fallback` after checking it is one of `allowed`. */
export function checkChoice<T>(where: string, field: string, value: unknown, fallback: T, allowed: readonly T[], hint = ''): T {
  const v = value === undefined ? fallback : value;
  if (!allowed.includes(v as T)) {
    throw new ModelConfigError(`${where}: ${field} must be one of ${allowed.map(describe).join(', ')}, got ${describe(v)}${hint}`, { field });
  }
  return v as T;
}

/** Returns `value ?? fallback` after checking it is an integer in [min, max]. */
export function checkInteger(where: string, field: string, value: unknown, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new ModelConfigError(`${where}: ${field} must be ${range}, got ${describe(v)}`, { field });
  }
  return v;
}

/** Returns `value ?? fallback` after checking it is a rate in [0, 1). */
export function checkRate(where: string, field: string, value: unknown, fallback: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new ModelConfigError(`${where}: ${field} must be a number in [0, 1), got ${describe(v)}`, { field });
  }
  return v;
}

/** Checks an architecture size: in `allowed` for the thesis space, any integer >= 1 otherwise. */
export function checkSize(where: string, field: string, value: unknown, fallback: number, allowed: readonly number[], space: SearchSpace): number {
  if (space === 'any') return checkInteger(where, field, value, fallback);
  return checkChoice(where, field, value, fallback, allowed, ` (thesis search space; pass searchSpace: 'any' for other sizes)`);
}

/** Validated common options. */
export interface ResolvedCommonOptions {
  numClasses: number;
  inputBins: number;
  name: string;
  searchSpace: SearchSpace;
}

/** Validates {@link CommonModelOptions} and `searchSpace`. */
export function resolveCommon(where: string, options: CommonModelOptions & { searchSpace?: SearchSpace }, defaultName: string): ResolvedCommonOptions {
  const name = options.name ?? defaultName;
  if (typeof name !== 'string' || name.length === 0) throw new ModelConfigError(`${where}: name must be a non-empty string, got ${describe(name)}`, { field: 'name' });
  return {
    numClasses: checkInteger(where, 'numClasses', options.numClasses, DEFAULT_NUM_CLASSES),
    inputBins: checkInteger(where, 'inputBins', options.inputBins, DEFAULT_INPUT_BINS),
    name,
    searchSpace: checkChoice(where, 'searchSpace', options.searchSpace, 'thesis' as SearchSpace, ['thesis', 'any'] as const),
  };
}

/** Arguments of {@link torchLinear}. */
export interface TorchLinearArgs {
  /** PyTorch module path, e.g. 'decoder.fc' (the layer's name). */
  name: string;
  /** Output features. */
  units: number;
  /** Input features (sets the bias initializer's bound 1/√fanIn). */
  fanIn: number;
  /** 'relu' (fused into the matMul) or 'linear'. @defaultValue 'linear' */
  activation?: 'linear' | 'relu';
}

/**
 * A Dense layer initialised as PyTorch's `nn.Linear` (Kaiming-uniform weight, U(±1/√fanIn)
 * bias), named after its PyTorch module path so that weights import.
 *
 * @param x - Symbolic input [..., fanIn].
 * @param args - Name, units, fan-in, activation.
 * @returns Symbolic output [..., units].
 */
export function torchLinear(x: SymbolicTensor, args: TorchLinearArgs): SymbolicTensor {
  return tfl.dense({
    name: args.name,
    units: args.units,
    activation: args.activation ?? 'linear',
    kernelInitializer: torchKaimingUniform(),
    biasInitializer: torchBiasUniform(args.fanIn),
  }).apply(x) as SymbolicTensor;
}
