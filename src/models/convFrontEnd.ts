/**
 * The convolutional front end shared by the CNN, CRNN and Convolutional Transformer
 * (reference: `FrameSynchronousCNNEncoder` / `ConvolutionalBlock` of the thesis code).
 *
 * Conv block i (1-based): Conv2D 3×3 same, 32·i filters, no bias → ReLU → BatchNorm →
 * Conv2D 3×3 same, no bias → ReLU → BatchNorm → MaxPool (1, 3) (floor) → spatial dropout 0.3.
 * Layout is channels-last [batch, T, bins, channels]; {@link AdtFrameFlatten} then flattens
 * each frame in PyTorch's channel-major order (index = c · F + f) so weights port unchanged.
 *
 * Weighted layers are named after the PyTorch module paths
 * (`<prefix>.<i-1>.conv1`, `.batchnorm1`, `.conv2`, `.batchnorm2`), see ./torchWeights.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers as tfl, type Shape, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';

/** Constructor arguments of a TF.js layer (the stock `LayerArgs`, which tfjs-layers does not export). */
export type AdtLayerArgs = NonNullable<ConstructorParameters<typeof tfl.Layer>[0]>;
type Kwargs = Record<string, unknown>;

/** PyTorch BatchNorm eps (TF.js defaults to 1e-3). */
export const BATCHNORM_EPSILON = 1e-5;
/** TF.js momentum equal to PyTorch's running-average momentum 0.1 (TF.js keeps `momentum` of the old value). */
export const BATCHNORM_MOMENTUM_TFJS = 0.9;
/** Spatial dropout rate after each conv block. */
export const CONV_BLOCK_DROPOUT = 0.3;
/** Filters of the convolutions in block i are `CONV_BLOCK_BASE_FILTERS * i`. */
export const CONV_BLOCK_BASE_FILTERS = 32;
/** Max-pooling factor along frequency of each block. */
export const CONV_BLOCK_POOL = 3;

function oneTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Arguments of {@link AdtSpatialDropout2D}. */
export interface AdtSpatialDropout2DArgs extends AdtLayerArgs {
  /** Fraction of channels zeroed during training, in [0, 1). */
  rate: number;
}

/**
 * Channel-wise dropout for [batch, T, F, C] (PyTorch `Dropout2d`): during training each
 * (sample, channel) map is zeroed with probability `rate` and the others scaled by
 * 1 / (1 - rate); identity at inference. TF.js only has `spatialDropout1d`.
 */
export class AdtSpatialDropout2D extends tfl.Layer {
  static className = 'AdtSpatialDropout2D';
  readonly rate: number;

  constructor(args: AdtSpatialDropout2DArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new ModelConfigError(`AdtSpatialDropout2D: rate must be in [0, 1), got ${args.rate}`, { field: 'rate' });
    }
    this.rate = args.rate;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = oneTensor(inputs);
    if (kwargs.training !== true || this.rate === 0) return x;
    return tf.tidy(() => {
      if (x.rank !== 4) throw new ModelConfigError(`AdtSpatialDropout2D expects a rank-4 input, got shape [${x.shape.join(', ')}]`);
      return tf.dropout(x, this.rate, [x.shape[0] as number, 1, 1, x.shape[3] as number]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(AdtSpatialDropout2D);

/**
 * Flattens each frame of [batch, T, F, C] into [batch, T, C·F] in channel-major order
 * (index = c · F + f), as PyTorch's `flatten(x.permute(0, 2, 1, 3), start_dim=2)` does on
 * [batch, C, T, F]. T may be unknown (null).
 */
export class AdtFrameFlatten extends tfl.Layer {
  static className = 'AdtFrameFlatten';

  constructor(args: AdtLayerArgs = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (s.length !== 4) throw new ModelConfigError(`AdtFrameFlatten expects [batch, T, F, C], got [${s.join(', ')}]`);
    const f = s[2];
    const c = s[3];
    return [s[0], s[1], f == null || c == null ? null : f * c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs);
      const [b, t, f, c] = x.shape;
      // C = 1 needs no transpose: channel-major and frequency-major coincide.
      const y = c === 1 ? x : tf.transpose(x, [0, 1, 3, 2]);
      return tf.reshape(y, [b, t, c * f]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig() };
  }
}
tf.serialization.registerClass(AdtFrameFlatten);

/**
 * Initializer of a PyTorch `nn.Conv2d` / `nn.Linear` weight: Kaiming-uniform with a = √5,
 * i.e. U(−1/√fanIn, 1/√fanIn) (VarianceScaling, scale 1/3, fan in, uniform).
 */
export function torchKaimingUniform(): ReturnType<typeof initializers.varianceScaling> {
  return initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });
}

/** Initializer of a PyTorch `nn.Linear` / `nn.Conv2d` bias: U(−1/√fanIn, 1/√fanIn). */
export function torchBiasUniform(fanIn: number): ReturnType<typeof initializers.randomUniform> {
  const bound = 1 / Math.sqrt(fanIn);
  return initializers.randomUniform({ minval: -bound, maxval: bound });
}

/** Options of {@link applyConvFrontEnd}. */
export interface ConvFrontEndOptions {
  /** Number of conv blocks I. @defaultValue 2 */
  numBlocks?: number;
  /** PyTorch module path of the `nn.Sequential` of blocks. @defaultValue 'encoder.convolutions' */
  prefix?: string;
  /** Spatial dropout rate after each block. @defaultValue 0.3 */
  dropoutRate?: number;
}

/** Output size of the conv front end for a number of input bins. */
export interface ConvFrontEndShape {
  /** Frequency bins left after pooling (84 → 28 → 9 → 3). */
  bins: number;
  /** Channels of the last block (32 · I). */
  channels: number;
  /** Features per frame after flattening (bins · channels; 576 for 84 bins and 2 blocks). */
  features: number;
}

/**
 * Size of the conv front end's output.
 *
 * @param inputBins - Frequency bins of the input spectrogram (84 in the thesis).
 * @param numBlocks - Number of conv blocks I (≥ 1).
 * @returns Remaining bins, channels and per-frame feature count.
 * @throws {@link ModelConfigError} when the pooling leaves no bins.
 */
export function convFrontEndShape(inputBins: number, numBlocks: number): ConvFrontEndShape {
  let bins = inputBins;
  for (let i = 0; i < numBlocks; i++) bins = Math.floor(bins / CONV_BLOCK_POOL);
  if (bins < 1) {
    throw new ModelConfigError(`inputBins ${inputBins} is too small for ${numBlocks} conv block(s): each pools frequency by ${CONV_BLOCK_POOL} (need at least ${CONV_BLOCK_POOL ** numBlocks} bins)`, { field: 'inputBins' });
  }
  const channels = CONV_BLOCK_BASE_FILTERS * numBlocks;
  return { bins, channels, features: bins * channels };
}

/**
 * Trainable parameters of the conv front end (two bias-free 3×3 convolutions and two
 * BatchNorms per block), without building it.
 *
 * @param numBlocks - Number of conv blocks I.
 * @returns The count (65,184 for I = 2).
 */
export function convFrontEndParamCount(numBlocks: number): number {
  let total = 0;
  let cin = 1;
  for (let i = 1; i <= numBlocks; i++) {
    const c = CONV_BLOCK_BASE_FILTERS * i;
    total += 9 * cin * c + 2 * c + 9 * c * c + 2 * c;
    cin = c;
  }
  return total;
}

/**
 * Applies conv blocks 1..I to a symbolic [batch, T, bins, 1] input and flattens each frame
 * channel-major, giving [batch, T, features].
 *
 * @param input - Symbolic tensor [batch, T, bins, 1] (channels last).
 * @param options - Block count, PyTorch prefix, dropout.
 * @returns Symbolic tensor [batch, T, bins_I · 32·I].
 */
export function applyConvFrontEnd(input: SymbolicTensor, options: ConvFrontEndOptions = {}): SymbolicTensor {
  const numBlocks = options.numBlocks ?? 2;
  const prefix = options.prefix ?? 'encoder.convolutions';
  const dropoutRate = options.dropoutRate ?? CONV_BLOCK_DROPOUT;
  let x = input;
  for (let i = 1; i <= numBlocks; i++) {
    const p = `${prefix}.${i - 1}`;
    const filters = CONV_BLOCK_BASE_FILTERS * i;
    for (const k of [1, 2]) {
      x = tfl.conv2d({
        name: `${p}.conv${k}`,
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        activation: 'relu',
        kernelInitializer: torchKaimingUniform(),
      }).apply(x) as SymbolicTensor;
      x = tfl.batchNormalization({
        name: `${p}.batchnorm${k}`,
        axis: -1,
        epsilon: BATCHNORM_EPSILON,
        momentum: BATCHNORM_MOMENTUM_TFJS,
      }).apply(x) as SymbolicTensor;
    }
    x = tfl.maxPooling2d({ name: `${p}.pool`, poolSize: [1, CONV_BLOCK_POOL], strides: [1, CONV_BLOCK_POOL], padding: 'valid' }).apply(x) as SymbolicTensor;
    x = new AdtSpatialDropout2D({ name: `${p}.dropout`, rate: dropoutRate }).apply(x) as SymbolicTensor;
  }
  return new AdtFrameFlatten({ name: `${prefix}.flatten` }).apply(x) as SymbolicTensor;
}
