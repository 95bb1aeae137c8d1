/**
 * Sinusoidal positional encoding (Vaswani et al. 2017) as used by the thesis transformers:
 * `pe[t, 2i] = sin(t · w_i)`, `pe[t, 2i + 1] = cos(t · w_i)`, `w_i = exp(2i · −ln(10000) / D)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers, type Shape } from '@tensorflow/tfjs-layers';
import type { Kwargs } from './attention.js';
import type { AdtLayerArgs } from './convFrontEnd.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { TorchImportable, TorchTensorSource } from './torchWeights.js';

/** Base of the sinusoid wavelengths. */
export const POSITIONAL_ENCODING_BASE = 10000;

const f32 = Math.fround;

/**
 * Computes the sinusoidal positional encoding table, frame-major.
 *
 * Hand-written rather than built from tensor ops so that every backend gets the same
 * table: each step is rounded to float32 in the order PyTorch evaluates
 * `PositionalEncoding(d_model).pe` (float32 `log(10000)`, `arange · (−log/D)`, `exp`,
 * `position · div_term`, `sin` / `cos`), which reproduces the reference table.
 *
 * @param frames - number of positions T (any length, not limited to 5000) [frames]
 * @param embedDim - embedding size D (any positive integer; odd D gets ⌈D/2⌉ sines)
 * @returns Float32Array of T·D values, `[T, D]` row-major
 * @throws InvalidArgumentError when `frames` is not a non-negative integer or `embedDim`
 *   is not a positive integer
 */
export function sinusoidalPositionalEncoding(frames: number, embedDim: number): Float32Array {
  if (!Number.isInteger(frames) || frames < 0) {
    throw new InvalidArgumentError(`sinusoidalPositionalEncoding: frames must be a non-negative integer, got ${frames}`, { field: 'frames' });
  }
  if (!Number.isInteger(embedDim) || embedDim <= 0) {
    throw new InvalidArgumentError(`sinusoidalPositionalEncoding: embedDim must be a positive integer, got ${embedDim}`, { field: 'embedDim' });
  }
  const logBase = f32(Math.log(POSITIONAL_ENCODING_BASE));
  const step = f32(-logBase / embedDim);
  const half = Math.ceil(embedDim / 2);
  const divTerm = new Float64Array(half);
  for (let i = 0; i < half; i++) divTerm[i] = f32(Math.exp(f32(2 * i * step)));
  const out = new Float32Array(frames * embedDim);
  for (let t = 0; t < frames; t++) {
    const row = t * embedDim;
    for (let i = 0; i < half; i++) {
      const angle = f32(t * divTerm[i]);
      out[row + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < embedDim) out[row + 2 * i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/** Constructor arguments of {@link AdtPositionalEncoding}. */
export type AdtPositionalEncodingArgs = AdtLayerArgs;

/**
 * Adds the sinusoidal positional encoding to `[batch, T, D]` input; T may be any length
 * (the table is computed for the actual T on each call and cached on the JS side, not as a
 * tensor). No weights. Dropout after the addition is 0 in the reference, so there is none.
 */
export class AdtPositionalEncoding extends layers.Layer implements TorchImportable {
  /** Serialization key. */
  static className = 'AdtPositionalEncoding';
  private table: Float32Array = new Float32Array(0);
  private tableFrames = 0;
  private tableDim = 0;

  constructor(args: AdtPositionalEncodingArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 3 || shape[2] == null) {
      throw new ShapeError(`AdtPositionalEncoding expects input [batch, frames, embedDim] with a known embedDim, got ${JSON.stringify(shape)}`);
    }
    this.built = true;
  }

  /** The table for `frames` × `embedDim`, reusing (and slicing) a cached larger one. */
  private tableFor(frames: number, embedDim: number): Float32Array {
    if (embedDim !== this.tableDim || frames > this.tableFrames) {
      this.table = sinusoidalPositionalEncoding(frames, embedDim);
      this.tableFrames = frames;
      this.tableDim = embedDim;
    }
    return this.table.subarray(0, frames * embedDim);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [, frames, embedDim] = x.shape;
      const pe = tf.tensor3d(this.tableFor(frames, embedDim), [1, frames, embedDim], 'float32');
      return tf.add(x, pe);
    });
  }

  /**
   * No weights: the reference's `pe` buffer (when a state_dict carries it) is recomputed,
   * so it is marked as knowingly skipped.
   */
  torchWeightValues(source: TorchTensorSource): Float32Array[] {
    source.skip('pe');
    return [];
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig() };
  }
}
serialization.registerClass(AdtPositionalEncoding);
