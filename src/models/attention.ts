/**
 * Building blocks of the thesis transformers, written to match PyTorch's definitions:
 * exact (erf) GELU, layer normalisation with eps 1e-5, and `nn.MultiheadAttention`
 * self-attention (q, k, v packed in one projection, scaling 1/√(D/heads), no attention
 * dropout).
 */
import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, layers, type LayerVariable, type Shape } from '@tensorflow/tfjs-layers';
import { ModelConfigError, ShapeError } from '../errors.js';
import { torchBiasUniform, torchKaimingUniform, type AdtLayerArgs } from './convFrontEnd.js';
import { transposeMatrix, type TorchImportable, type TorchTensorSource } from './torchWeights.js';

/** A TF.js weight initializer. */
type Initializer = ReturnType<typeof initializers.ones>;
/** Keyword arguments TF.js passes to `Layer.call` (`training`, `mask`). */
export type Kwargs = Parameters<InstanceType<typeof layers.Layer>['call']>[1];

/** LayerNorm epsilon of PyTorch's `nn.LayerNorm` (TF.js defaults to 1e-3). */
export const LAYER_NORM_EPSILON = 1e-5;

/**
 * Exact GELU, `0.5 · x · (1 + erf(x / √2))` (PyTorch `F.gelu` default; not the tanh
 * approximation). Uses `tf.erf`, which every TF.js backend (cpu, wasm, webgl) implements
 * to within 1e-6 of the true erf (see the backend tests).
 *
 * @param x - any tensor
 * @returns a tensor of the shape of `x`
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T);
}

/**
 * Layer normalisation over the last axis, PyTorch's `nn.LayerNorm` maths:
 * `(x − mean) / √(var + eps) · gamma + beta` with the biased variance.
 *
 * @param x - tensor `[..., D]`
 * @param gamma - scale `[D]`
 * @param beta - offset `[D]`
 * @param epsilon - added to the variance
 * @returns normalised tensor of the shape of `x`
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number = LAYER_NORM_EPSILON): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalised, gamma), beta);
  });
}

/** Weights of one multi-head self-attention, in TF.js layout (kernels `[in, out]`). */
export interface SelfAttentionWeights {
  /** Packed q, k, v projection `[D, 3D]` (PyTorch `in_proj_weight` transposed). */
  inProjKernel: tf.Tensor;
  /** Packed q, k, v bias `[3D]` (PyTorch `in_proj_bias`). */
  inProjBias: tf.Tensor;
  /** Output projection `[D, D]` (PyTorch `out_proj.weight` transposed). */
  outProjKernel: tf.Tensor;
  /** Output bias `[D]` (PyTorch `out_proj.bias`). */
  outProjBias: tf.Tensor;
}

/**
 * Multi-head self-attention as PyTorch's `nn.MultiheadAttention(x, x, x)` computes it
 * (no mask, no attention dropout): `q, k, v = x·W_in + b_in` split in that order, heads
 * split by contiguous blocks of D/heads features, `softmax(q·kᵀ / √(D/heads))·v`, heads
 * concatenated, then the output projection.
 *
 * @param x - input `[batch, T, D]`
 * @param weights - projections, see {@link SelfAttentionWeights}
 * @param numHeads - number of heads; must divide D
 * @returns output `[batch, T, D]`
 * @throws ShapeError when `x` is not rank 3 or heads do not divide D
 */
export function multiHeadSelfAttention(x: tf.Tensor, weights: SelfAttentionWeights, numHeads: number): tf.Tensor {
  if (x.rank !== 3) throw new ShapeError(`multiHeadSelfAttention: x must be [batch, T, D], got shape ${JSON.stringify(x.shape)}`);
  const [batch, frames, embedDim] = x.shape;
  if (!Number.isInteger(numHeads) || numHeads <= 0 || embedDim % numHeads !== 0) {
    throw new ShapeError(`multiHeadSelfAttention: numHeads ${numHeads} must be a positive divisor of D = ${embedDim}`);
  }
  const headDim = embedDim / numHeads;
  return tf.tidy(() => {
    const flat = tf.reshape(x, [batch * frames, embedDim]) as tf.Tensor2D;
    // q, k, v each from its own block of the input projection: slicing the [D, 3D] weights is
    // cheaper than slicing the [B·T, 3D] product (a strided copy of every activation).
    const heads = (index: number): tf.Tensor3D => {
      const kernel = tf.slice(weights.inProjKernel, [0, index * embedDim], [embedDim, embedDim]) as tf.Tensor2D;
      const bias = tf.slice(weights.inProjBias, [index * embedDim], [embedDim]);
      const part = tf.fused.matMul({ a: flat, b: kernel, bias });
      const split = tf.reshape(part, [batch, frames, numHeads, headDim]);
      return tf.reshape(tf.transpose(split, [0, 2, 1, 3]), [batch * numHeads, frames, headDim]);
    };
    // PyTorch scales q before the product, q · (1/√(D/heads)).
    const q = tf.mul(heads(0), 1 / Math.sqrt(headDim));
    const k = heads(1);
    const v = heads(2);
    const scores = tf.matMul(q, k, false, true); // [B·H, T, T]
    const context = tf.matMul(tf.softmax(scores, -1), v); // [B·H, T, dh]
    const merged = tf.transpose(tf.reshape(context, [batch, numHeads, frames, headDim]), [0, 2, 1, 3]);
    const out = tf.add(tf.matMul(tf.reshape(merged, [batch * frames, embedDim]), weights.outProjKernel), weights.outProjBias);
    return tf.reshape(out, [batch, frames, embedDim]);
  });
}

function singleShape(inputShape: Shape | Shape[]): Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
}

function singleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Checks a `[batch, T, D]` input shape and returns D. */
export function embedDimOf(inputShape: Shape | Shape[], layerName: string): number {
  const shape = singleShape(inputShape);
  const embedDim = shape[shape.length - 1];
  if (shape.length !== 3 || embedDim == null) {
    throw new ShapeError(`${layerName} expects input [batch, frames, embedDim] with a known embedDim, got ${JSON.stringify(shape)}`);
  }
  return embedDim;
}

/** Constructor arguments of {@link AdtGelu}. */
export type AdtGeluArgs = AdtLayerArgs;

/** Exact (erf) GELU activation as a layer; no weights. */
export class AdtGelu extends layers.Layer {
  /** Serialization key. */
  static className = 'AdtGelu';

  constructor(args: AdtGeluArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return gelu(singleInput(inputs));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig() };
  }
}
serialization.registerClass(AdtGelu);

/** Constructor arguments of {@link AdtMultiHeadSelfAttention}. */
export interface AdtMultiHeadSelfAttentionArgs extends AdtLayerArgs {
  /** Number of heads; must divide the embedding size. */
  numHeads: number;
}

/** PyTorch `nn.MultiheadAttention` tensors under `prefix`, converted to TF.js layout. */
function torchAttentionValues(source: TorchTensorSource, prefix: string, d: number): Float32Array[] {
  return [
    transposeMatrix(source.take(`${prefix}in_proj_weight`, [3 * d, d]), 3 * d, d),
    source.take(`${prefix}in_proj_bias`, [3 * d]),
    transposeMatrix(source.take(`${prefix}out_proj.weight`, [d, d]), d, d),
    source.take(`${prefix}out_proj.bias`, [d]),
  ];
}

function checkHeads(numHeads: unknown, where: string): void {
  if (typeof numHeads !== 'number' || !Number.isInteger(numHeads) || numHeads <= 0) {
    throw new ModelConfigError(`${where}: numHeads must be a positive integer, got ${String(numHeads)}`, { field: 'numHeads' });
  }
}

/**
 * Multi-head self-attention layer with PyTorch's packed q/k/v weights
 * (weights in order: `inProjKernel [D, 3D]`, `inProjBias [3D]`, `outProjKernel [D, D]`,
 * `outProjBias [D]`). Initialised as PyTorch does: Xavier-uniform packed projection,
 * zero biases, U(±1/√D) output kernel. Input and output `[batch, T, D]`.
 */
export class AdtMultiHeadSelfAttention extends layers.Layer implements TorchImportable {
  /** Serialization key. */
  static className = 'AdtMultiHeadSelfAttention';
  readonly numHeads: number;
  private inProjKernel!: LayerVariable;
  private inProjBias!: LayerVariable;
  private outProjKernel!: LayerVariable;
  private outProjBias!: LayerVariable;

  constructor(args: AdtMultiHeadSelfAttentionArgs) {
    super(args);
    checkHeads(args?.numHeads, 'AdtMultiHeadSelfAttention');
    this.numHeads = args.numHeads;
  }

  override build(inputShape: Shape | Shape[]): void {
    const d = embedDimOf(inputShape, this.name);
    if (d % this.numHeads !== 0) {
      throw new ModelConfigError(`${this.name}: numHeads ${this.numHeads} does not divide the embedding size ${d}`);
    }
    this.inProjKernel = this.addWeight('in_proj_kernel', [d, 3 * d], 'float32', initializers.glorotUniform({}));
    this.inProjBias = this.addWeight('in_proj_bias', [3 * d], 'float32', initializers.zeros());
    this.outProjKernel = this.addWeight('out_proj_kernel', [d, d], 'float32', torchKaimingUniform());
    this.outProjBias = this.addWeight('out_proj_bias', [d], 'float32', initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => multiHeadSelfAttention(singleInput(inputs), {
      inProjKernel: this.inProjKernel.read(),
      inProjBias: this.inProjBias.read(),
      outProjKernel: this.outProjKernel.read(),
      outProjBias: this.outProjBias.read(),
    }, this.numHeads));
  }

  /**
   * Reads PyTorch `nn.MultiheadAttention` tensors `in_proj_weight [3D, D]`, `in_proj_bias`,
   * `out_proj.weight [D, D]`, `out_proj.bias` (see ./torchWeights.ts).
   */
  torchWeightValues(source: TorchTensorSource): Float32Array[] {
    return torchAttentionValues(source, '', this.inProjBias.shape[0] as number / 3);
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads };
  }
}
serialization.registerClass(AdtMultiHeadSelfAttention);

/** Constructor arguments of {@link AdtTransformerBlock}. */
export interface AdtTransformerBlockArgs extends AdtLayerArgs {
  /** Number of attention heads; must divide the embedding size. */
  numHeads: number;
  /**
   * Dropout rate after the attention and after the feed-forward network (training only).
   * @defaultValue 0.1
   */
  dropoutRate?: number;
  /**
   * LayerNorm epsilon.
   * @defaultValue 1e-5
   */
  epsilon?: number;
  /**
   * Hidden size of the feed-forward network as a multiple of the embedding size.
   * @defaultValue 4
   */
  feedForwardMultiplier?: number;
}

/**
 * Pre-LayerNorm transformer encoder block of the thesis (`models.attention.AttentionLayer`):
 * `y = x + dropout(MHA(LN1(x)))`, `out = y + dropout(fc2(GELU(fc1(LN2(y)))))`,
 * fc1: D → 4D, fc2: 4D → D. Input and output `[batch, T, D]`.
 *
 * Weights, in order (TF.js layout, kernels `[in, out]`): `norm1_gamma`, `norm1_beta`,
 * `in_proj_kernel [D, 3D]`, `in_proj_bias`, `out_proj_kernel [D, D]`, `out_proj_bias`,
 * `norm2_gamma`, `norm2_beta`, `fc1_kernel [D, 4D]`, `fc1_bias`, `fc2_kernel [4D, D]`,
 * `fc2_bias` — the order of the PyTorch state_dict entries
 * `norm1, attention.in_proj_*, attention.out_proj.*, norm2, fc1, fc2`.
 */
export class AdtTransformerBlock extends layers.Layer implements TorchImportable {
  /** Serialization key. */
  static className = 'AdtTransformerBlock';
  readonly numHeads: number;
  readonly dropoutRate: number;
  readonly epsilon: number;
  readonly feedForwardMultiplier: number;
  private w: Record<string, LayerVariable> = {};

  constructor(args: AdtTransformerBlockArgs) {
    super(args);
    checkHeads(args?.numHeads, 'AdtTransformerBlock');
    this.numHeads = args.numHeads;
    this.dropoutRate = args.dropoutRate ?? 0.1;
    this.epsilon = args.epsilon ?? LAYER_NORM_EPSILON;
    this.feedForwardMultiplier = args.feedForwardMultiplier ?? 4;
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) {
      throw new ModelConfigError(`AdtTransformerBlock: dropoutRate must be in [0, 1), got ${this.dropoutRate}`, { field: 'dropoutRate' });
    }
    if (!(this.epsilon > 0)) {
      throw new ModelConfigError(`AdtTransformerBlock: epsilon must be > 0, got ${this.epsilon}`, { field: 'epsilon' });
    }
    if (!Number.isInteger(this.feedForwardMultiplier) || this.feedForwardMultiplier <= 0) {
      throw new ModelConfigError(`AdtTransformerBlock: feedForwardMultiplier must be a positive integer, got ${this.feedForwardMultiplier}`, { field: 'feedForwardMultiplier' });
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const d = embedDimOf(inputShape, this.name);
    if (d % this.numHeads !== 0) {
      throw new ModelConfigError(`${this.name}: numHeads ${this.numHeads} does not divide the embedding size ${d}`);
    }
    const hidden = this.feedForwardMultiplier * d;
    const add = (name: string, shape: number[], init: Initializer): void => {
      this.w[name] = this.addWeight(name, shape, 'float32', init);
    };
    add('norm1_gamma', [d], initializers.ones());
    add('norm1_beta', [d], initializers.zeros());
    add('in_proj_kernel', [d, 3 * d], initializers.glorotUniform({}));
    add('in_proj_bias', [3 * d], initializers.zeros());
    add('out_proj_kernel', [d, d], torchKaimingUniform());
    add('out_proj_bias', [d], initializers.zeros());
    add('norm2_gamma', [d], initializers.ones());
    add('norm2_beta', [d], initializers.zeros());
    add('fc1_kernel', [d, hidden], torchKaimingUniform());
    add('fc1_bias', [hidden], torchBiasUniform(d));
    add('fc2_kernel', [hidden, d], torchKaimingUniform());
    add('fc2_bias', [d], torchBiasUniform(hidden));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs);
      const w = (name: string): tf.Tensor => this.w[name].read();
      const training = kwargs?.training === true && this.dropoutRate > 0;
      const dropout = (t: tf.Tensor): tf.Tensor => (training ? tf.dropout(t, this.dropoutRate) : t);
      const attended = multiHeadSelfAttention(layerNorm(x, w('norm1_gamma'), w('norm1_beta'), this.epsilon), {
        inProjKernel: w('in_proj_kernel'),
        inProjBias: w('in_proj_bias'),
        outProjKernel: w('out_proj_kernel'),
        outProjBias: w('out_proj_bias'),
      }, this.numHeads);
      const y = tf.add(dropout(attended), x);
      const [batch, frames, d] = y.shape;
      const normed = tf.reshape(layerNorm(y, w('norm2_gamma'), w('norm2_beta'), this.epsilon), [batch * frames, d]);
      const hidden = gelu(tf.add(tf.matMul(normed, w('fc1_kernel')), w('fc1_bias')));
      const ff = tf.reshape(tf.add(tf.matMul(hidden, w('fc2_kernel')), w('fc2_bias')), [batch, frames, d]);
      return tf.add(dropout(ff), y);
    });
  }

  /**
   * Reads the PyTorch `AttentionLayer` tensors `norm1.{weight,bias}`,
   * `attention.{in_proj_weight,in_proj_bias,out_proj.weight,out_proj.bias}`,
   * `norm2.{weight,bias}`, `fc1.{weight,bias}`, `fc2.{weight,bias}` (see ./torchWeights.ts).
   */
  torchWeightValues(source: TorchTensorSource): Float32Array[] {
    const d = this.w.norm1_gamma.shape[0] as number;
    const hidden = this.feedForwardMultiplier * d;
    return [
      source.take('norm1.weight', [d]),
      source.take('norm1.bias', [d]),
      ...torchAttentionValues(source, 'attention.', d),
      source.take('norm2.weight', [d]),
      source.take('norm2.bias', [d]),
      transposeMatrix(source.take('fc1.weight', [hidden, d]), hidden, d),
      source.take('fc1.bias', [hidden]),
      transposeMatrix(source.take('fc2.weight', [d, hidden]), d, hidden),
      source.take('fc2.bias', [d]),
    ];
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      dropoutRate: this.dropoutRate,
      epsilon: this.epsilon,
      feedForwardMultiplier: this.feedForwardMultiplier,
    };
  }
}
serialization.registerClass(AdtTransformerBlock);
