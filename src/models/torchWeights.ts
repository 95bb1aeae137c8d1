/**
 * Importing PyTorch `state_dict`s (safetensors) into adtkit's TF.js models.
 *
 * DESIGN (every model factory in adtkit/models follows it; keep it stable):
 *
 * 1. Naming. A TF.js layer that holds weights is NAMED with the PyTorch module path of the
 *    module whose parameters it holds: `encoder.convolutions.0.conv1`, `decoder.rnns`,
 *    `fc`. The tensors it reads are `<layer name>.<suffix>` (`encoder.convolutions.0.conv1.weight`).
 *    Layers without weights (activations, pooling, dropout, reshapes) may have any name.
 *    Because the mapping lives in the layer names and classes, it survives a TF.js save/load.
 *
 * 2. Conversion by layer class.
 *    - Custom layers implement {@link TorchImportable}: `torchWeightValues(source)` returns one
 *      Float32Array per entry of `layer.weights`, in that order, in the TF.js layout of that
 *      weight; it reads PyTorch tensors through `source.take(suffix, torchShape)` (which checks
 *      presence, dtype and shape and throws a {@link WeightsError} naming the tensor) and marks
 *      tensors it knowingly ignores with `source.skip(suffix)` (buffers such as
 *      `num_batches_tracked` or a recomputed positional encoding).
 *    - Stock TF.js layers are converted by a converter registered for their class name
 *      (Conv2D, Dense, BatchNormalization, LayerNormalization are built in);
 *      {@link registerTorchConverter} adds more.
 *
 * 3. {@link importTorchWeights} walks every layer (nested models too), collects all new values,
 *    then checks that every tensor of the file was taken or skipped (unknown tensors are an
 *    error), and only then assigns the weights: a failed import leaves the model unchanged.
 *
 * Layout helpers for converters: {@link transposeMatrix} (Linear [out, in] → Dense [in, out]),
 * {@link oihwToHwio} (Conv2d [O, I, kh, kw] → Conv2D [kh, kw, I, O]).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LayersModel, layers as tfl } from '@tensorflow/tfjs-layers';
import { WeightsError } from '../errors.js';
import { parseSafetensors, type SafetensorsFile } from './safetensors.js';

/** A TF.js layer (alias of the stock base class, exported here for converters). */
export type TfLayer = InstanceType<typeof tfl.Layer>;

/** Read access to the PyTorch tensors under one module prefix, handed to converters. */
export interface TorchTensorSource {
  /** The module prefix, `<layer name>.` (tensor names are `prefix + suffix`). */
  readonly prefix: string;
  /**
   * Returns the float32 values of tensor `prefix + suffix` (row-major, PyTorch layout) and
   * marks it consumed.
   * @throws {@link WeightsError} if it is missing, not F32, or not of shape `shape`.
   */
  take(suffix: string, shape: readonly number[]): Float32Array;
  /** Whether tensor `prefix + suffix` is present. */
  has(suffix: string): boolean;
  /** Marks `prefix + suffix` as knowingly ignored (no error when absent). */
  skip(suffix: string): void;
}

/** Implemented by custom layers whose weights can be imported from PyTorch. */
export interface TorchImportable {
  /**
   * Computes the new values of `this.weights`, in order, each in the TF.js layout and of the
   * size of that weight, from the PyTorch tensors of the module this layer is named after.
   */
  torchWeightValues(source: TorchTensorSource): Float32Array[];
}

/** Converter for a stock layer class: same contract as {@link TorchImportable.torchWeightValues}. */
export type TorchConverter = (layer: TfLayer, source: TorchTensorSource) => Float32Array[];

/** Whether a layer implements {@link TorchImportable}. */
export function isTorchImportable(layer: unknown): layer is TorchImportable {
  return typeof (layer as Partial<TorchImportable>)?.torchWeightValues === 'function';
}

/** Transposes a row-major [rows, cols] matrix into [cols, rows]. */
export function transposeMatrix(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}

/** Converts a PyTorch conv kernel [O, I, kh, kw] into TF.js layout [kh, kw, I, O]. */
export function oihwToHwio(data: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
  const [o, i, kh, kw] = shape;
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          out[((y * kw + x) * i + b) * o + a] = data[((a * i + b) * kh + y) * kw + x];
        }
      }
    }
  }
  return out;
}

function weightShape(layer: TfLayer, index: number): number[] {
  return layer.weights[index].shape.map((d) => d ?? -1);
}

function convConverter(layer: TfLayer, source: TorchTensorSource): Float32Array[] {
  const [kh, kw, cin, cout] = weightShape(layer, 0);
  const torchShape: [number, number, number, number] = [cout, cin, kh, kw];
  const out = [oihwToHwio(source.take('weight', torchShape), torchShape)];
  if (layer.weights.length > 1) out.push(source.take('bias', [cout]));
  return out;
}

function denseConverter(layer: TfLayer, source: TorchTensorSource): Float32Array[] {
  const [fin, fout] = weightShape(layer, 0);
  const out = [transposeMatrix(source.take('weight', [fout, fin]), fout, fin)];
  if (layer.weights.length > 1) out.push(source.take('bias', [fout]));
  return out;
}

/** Weight names of a normalization layer → PyTorch suffixes (by the TF.js weight's own name). */
const NORM_SUFFIX: Record<string, string> = {
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

function normConverter(layer: TfLayer, source: TorchTensorSource): Float32Array[] {
  source.skip('num_batches_tracked');
  return layer.weights.map((w) => {
    const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    const suffix = NORM_SUFFIX[short];
    if (suffix === undefined) {
      throw new WeightsError(`layer "${layer.name}": no PyTorch equivalent known for weight "${w.originalName}"`, { field: layer.name });
    }
    return source.take(suffix, w.shape as number[]);
  });
}

const converters = new Map<string, TorchConverter>([
  ['Conv2D', convConverter],
  ['Dense', denseConverter],
  ['BatchNormalization', normConverter],
  ['LayerNormalization', normConverter],
]);

/**
 * Registers how a stock TF.js layer class takes PyTorch weights (custom layers implement
 * {@link TorchImportable} instead).
 *
 * @param className - The layer's `getClassName()`, e.g. `'Conv1D'`.
 * @param converter - Returns the new values of `layer.weights` from its module's tensors.
 */
export function registerTorchConverter(className: string, converter: TorchConverter): void {
  converters.set(className, converter);
}

/** Report of {@link importTorchWeights}. */
export interface ImportTorchWeightsResult {
  /** Tensor names that were loaded into the model. */
  loaded: string[];
  /** Tensor names present in the file and knowingly ignored (e.g. `num_batches_tracked`). */
  skipped: string[];
}

function collectLayers(model: { layers: TfLayer[] }, out: TfLayer[] = []): TfLayer[] {
  for (const layer of model.layers) {
    const nested = layer as unknown as { layers?: TfLayer[] };
    if (Array.isArray(nested.layers) && nested.layers !== undefined) collectLayers(nested as { layers: TfLayer[] }, out);
    else out.push(layer);
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Loads a PyTorch `state_dict` (safetensors, reference names) into a model built by this
 * library, so that it gives the reference model's outputs.
 *
 * @param model - A model from `createRNN`, `createCNN`, `createCRNN`, ... (or any model whose
 *   weighted layers are named after PyTorch module paths; see the design note of this file).
 * @param weights - The safetensors file [bytes], or a file already parsed by {@link parseSafetensors}.
 * @returns The names of the tensors loaded and of those knowingly ignored.
 * @throws {@link WeightsError} naming the tensor when one is missing, has another shape or
 *   dtype, or is not used by any layer (unknown), when a weighted layer has no converter,
 *   or when the file is not valid safetensors. The model is unchanged when it throws.
 * @example
 * ```ts
 * const model = createCRNN({ numLayers: 3, hiddenSize: 288, cell: 'gru' });
 * importTorchWeights(model, new Uint8Array(readFileSync('crnn.safetensors')));
 * ```
 */
export function importTorchWeights(
  model: LayersModel,
  weights: Uint8Array | ArrayBuffer | SafetensorsFile,
): ImportTorchWeightsResult {
  const file = weights instanceof Uint8Array || weights instanceof ArrayBuffer ? parseSafetensors(weights) : weights;
  const tensors = file.tensors;
  const taken = new Set<string>();
  const skipped = new Set<string>();
  const assignments: Array<{ layer: TfLayer; values: Float32Array[] }> = [];

  for (const layer of collectLayers(model as unknown as { layers: TfLayer[] })) {
    // Weightless custom layers still take part: they may mark buffers of their module as
    // knowingly ignored (the positional encoding's `pe` in real thesis checkpoints).
    if (layer.weights.length === 0 && !isTorchImportable(layer)) continue;
    const prefix = `${layer.name}.`;
    const source: TorchTensorSource = {
      prefix,
      has: (suffix) => tensors.has(prefix + suffix),
      skip: (suffix) => {
        if (tensors.has(prefix + suffix)) skipped.add(prefix + suffix);
      },
      take: (suffix, shape) => {
        const name = prefix + suffix;
        const t = tensors.get(name);
        if (t === undefined) {
          throw new WeightsError(`missing tensor "${name}" (shape [${shape.join(', ')}]) for layer "${layer.name}"; is the state_dict from the same architecture and options?`, { field: name });
        }
        if (t.dtype !== 'F32') throw new WeightsError(`tensor "${name}" has dtype ${t.dtype}, expected F32`, { field: name });
        if (!sameShape(t.shape, shape)) {
          throw new WeightsError(`tensor "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] (hidden size, layer count or number of classes differ?)`, { field: name });
        }
        taken.add(name);
        return t.data as Float32Array;
      },
    };
    const className = layer.getClassName();
    let values: Float32Array[];
    if (isTorchImportable(layer)) values = layer.torchWeightValues(source);
    else {
      const converter = converters.get(className);
      if (converter === undefined) {
        throw new WeightsError(`layer "${layer.name}" (${className}) has weights but no PyTorch converter; register one with registerTorchConverter`, { field: layer.name });
      }
      values = converter(layer, source);
    }
    if (values.length !== layer.weights.length) {
      throw new WeightsError(`layer "${layer.name}": converter returned ${values.length} arrays for ${layer.weights.length} weights`, { field: layer.name });
    }
    values.forEach((v, i) => {
      const size = layer.weights[i].shape.reduce((a: number, b) => a * (b ?? 0), 1);
      if (v.length !== size) {
        throw new WeightsError(`layer "${layer.name}": value for weight "${layer.weights[i].originalName}" has ${v.length} numbers, expected ${size}`, { field: layer.name });
      }
    });
    assignments.push({ layer, values });
  }

  const unknown = [...tensors.keys()].filter((n) => !taken.has(n) && !skipped.has(n));
  if (unknown.length > 0) {
    throw new WeightsError(`unknown tensor${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}: no layer of the model takes ${unknown.length > 1 ? 'them' : 'it'} (another architecture, or a wrapper prefix such as "module."?)`, { field: unknown[0] });
  }

  for (const { layer, values } of assignments) {
    const ts = values.map((v, i) => tf.tensor(v, layer.weights[i].shape as number[], 'float32'));
    try {
      layer.setWeights(ts);
    } finally {
      tf.dispose(ts);
    }
  }
  return { loaded: [...taken], skipped: [...skipped] };
}
