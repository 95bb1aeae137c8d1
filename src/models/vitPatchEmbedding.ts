/**
 * Patch embedding of the thesis Vision Transformer (`models.attention.PatchEmbedding`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable, type Shape } from '@tensorflow/tfjs-layers';
import { ModelConfigError, ShapeError } from '../errors.js';
import { transposeMatrix, type TorchImportable, type TorchTensorSource } from './torchWeights.js';
import type { Kwargs } from './attention.js';
import type { AdtLayerArgs } from './convFrontEnd.js';

/** Constructor arguments of {@link AdtPatchEmbedding}. */
export interface AdtPatchEmbeddingArgs extends AdtLayerArgs {
  /** Patch width P along the frequency axis [bins]; must divide the number of input bins. */
  patchSize: number;
  /** Channels per patch, C = D / n where n = bins / P is the number of patches. */
  channels: number;
}

/**
 * Splits each frame of a `[batch, T, bins, 1]` spectrogram into n = bins / P patches of P
 * bins, projects each patch linearly to C channels (PyTorch `Conv2d(1, C, kernel = stride =
 * (1, P))` with bias), adds a learnable position embedding `[C, n]` (the same for every frame)
 * and flattens each frame channel-major, `feature[c · n + p]`, giving `[batch, T, C · n]`.
 *
 * Weights, in order: `kernel [P, C]` (PyTorch `projection.weight [C, 1, 1, P]` transposed),
 * `bias [C]`, `position_embedding [C, n]` (PyTorch `position_embedding [1, C, 1, n]`).
 * Initialised as PyTorch does: kernel and bias U(±1/√P), position embedding N(0, 1).
 */
export class AdtPatchEmbedding extends layers.Layer implements TorchImportable {
  /** Serialization key. */
  static className = 'AdtPatchEmbedding';
  readonly patchSize: number;
  readonly channels: number;
  private kernel!: LayerVariable;
  private bias!: LayerVariable;
  private positionEmbedding!: LayerVariable;

  constructor(args: AdtPatchEmbeddingArgs) {
    super(args);
    for (const field of ['patchSize', 'channels'] as const) {
      const value = args?.[field];
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
        throw new ModelConfigError(`AdtPatchEmbedding: ${field} must be a positive integer, got ${String(value)}`, { field });
      }
    }
    this.patchSize = args.patchSize;
    this.channels = args.channels;
  }

  private numPatches(inputShape: Shape | Shape[]): number {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const bins = shape[2];
    if (shape.length !== 4 || bins == null || shape[3] !== 1) {
      throw new ShapeError(`${this.name} expects input [batch, frames, bins, 1] with known bins, got ${JSON.stringify(shape)}`);
    }
    if (bins % this.patchSize !== 0) {
      throw new ModelConfigError(`${this.name}: patchSize ${this.patchSize} does not divide the ${bins} input bins`);
    }
    return bins / this.patchSize;
  }

  override build(inputShape: Shape | Shape[]): void {
    const n = this.numPatches(inputShape);
    const limit = 1 / Math.sqrt(this.patchSize);
    const uniform = initializers.randomUniform({ minval: -limit, maxval: limit });
    this.kernel = this.addWeight('kernel', [this.patchSize, this.channels], 'float32', uniform);
    this.bias = this.addWeight('bias', [this.channels], 'float32', uniform);
    this.positionEmbedding = this.addWeight('position_embedding', [this.channels, n], 'float32',
      initializers.randomNormal({ mean: 0, stddev: 1 }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [shape[0], shape[1], this.channels * this.numPatches(inputShape)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [batch, frames, bins] = x.shape;
      const n = bins / this.patchSize;
      // A convolution with kernel = stride is a matrix product over non-overlapping patches.
      const patches = tf.reshape(x, [batch * frames * n, this.patchSize]);
      const projected = tf.add(tf.matMul(patches, this.kernel.read()), this.bias.read()); // [B·T·n, C]
      const perFrame = tf.reshape(projected, [batch * frames, n, this.channels]);
      const channelMajor = tf.add(tf.transpose(perFrame, [0, 2, 1]), this.positionEmbedding.read()); // [B·T, C, n]
      return tf.reshape(channelMajor, [batch, frames, this.channels * n]);
    });
  }

  /**
   * Reads the PyTorch `PatchEmbedding` tensors `projection.weight [C, 1, 1, P]`,
   * `projection.bias [C]` and `position_embedding [1, C, 1, n]` (see ./torchWeights.ts).
   */
  torchWeightValues(source: TorchTensorSource): Float32Array[] {
    const p = this.patchSize;
    const c = this.channels;
    const n = this.positionEmbedding.shape[1] as number;
    return [
      transposeMatrix(source.take('projection.weight', [c, 1, 1, p]), c, p),
      source.take('projection.bias', [c]),
      source.take('position_embedding', [1, c, 1, n]),
    ];
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), patchSize: this.patchSize, channels: this.channels };
  }
}
serialization.registerClass(AdtPatchEmbedding);
