/**
 * The two transformer architectures of the thesis: the Convolutional Transformer
 * (`models.ConvolutionalTransformer`: 2 conv blocks → Dense(D) → transformer encoder) and the
 * Vision Transformer (`models.VisionTransformer`: patch embedding → transformer encoder).
 * The encoder is `models.attention.AttentionDecoder`: sinusoidal positional encoding →
 * L pre-LayerNorm blocks → Dense(classes), with no final LayerNorm.
 *
 * Weighted layers are named after the PyTorch module paths (`projection`,
 * `patch_embedding`, `decoder.layers.<i>`, `decoder.fc`) so that
 * {@link importTorchWeights} loads reference state_dicts (see ./torchWeights.ts).
 */
import { input, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import { AdtTransformerBlock } from './attention.js';
import { applyConvFrontEnd, convFrontEndParamCount, convFrontEndShape } from './convFrontEnd.js';
import { finishModel } from './modelInfo.js';
import {
  checkChoice,
  checkKnownKeys,
  checkRate,
  checkSize,
  HIDDEN_SIZES,
  resolveCommon,
  torchLinear,
  type CommonModelOptions,
  type ResolvedCommonOptions,
  type SearchSpace,
} from './options.js';
import { AdtPositionalEncoding } from './positionalEncoding.js';
import { AdtPatchEmbedding } from './vitPatchEmbedding.js';

/** Attention heads H of the thesis search space. */
export const TRANSFORMER_HEADS = [2, 4, 6, 8] as const;
/** Embedding sizes D of the thesis search space. */
export const TRANSFORMER_EMBED_DIMS = HIDDEN_SIZES;
/**
 * Encoder block counts L allowed in the thesis search space: the grid {2, 4, 6, 8, 10} plus
 * the thesis default 5.
 */
export const TRANSFORMER_LAYERS = [2, 4, 5, 6, 8, 10] as const;
/** ViT patch widths P of the thesis search space [bins]. */
export const VIT_PATCH_SIZES = [7, 14, 21] as const;
/** Dropout after the attention and after the feed-forward network of each block. */
export const TRANSFORMER_DROPOUT = 0.1;

/** Attention heads H. */
export type TransformerHeads = (typeof TRANSFORMER_HEADS)[number];
/** Embedding size D. */
export type TransformerEmbedDim = (typeof TRANSFORMER_EMBED_DIMS)[number];
/** Encoder block count L. */
export type TransformerLayers = (typeof TRANSFORMER_LAYERS)[number];
/** ViT patch width P [bins]. */
export type VitPatchSize = (typeof VIT_PATCH_SIZES)[number];

/** Options shared by {@link createConvTransformer} and {@link createViT}. */
export interface TransformerEncoderOptions extends CommonModelOptions {
  /**
   * Attention heads H ∈ {2, 4, 6, 8}; must divide `embedDim`.
   * @defaultValue 6
   */
  numHeads?: TransformerHeads;
  /**
   * Encoder blocks L ∈ {2, 4, 5, 6, 8, 10} (thesis grid plus its default).
   * @defaultValue 5
   */
  numLayers?: TransformerLayers;
  /**
   * Embedding size D ∈ {72, 144, 288, 576}.
   * @defaultValue 576
   */
  embedDim?: TransformerEmbedDim;
  /**
   * Dropout rate inside the encoder blocks (active only in training), in [0, 1).
   * @defaultValue 0.1
   */
  dropoutRate?: number;
  /**
   * `'thesis'` restricts heads, layers, D (and P) to the thesis search space; `'any'`
   * accepts any positive integers that fit together (e.g. the 1-layer reference fixtures).
   * @defaultValue 'thesis'
   */
  searchSpace?: SearchSpace;
}

/** Options of {@link createConvTransformer}. */
export type ConvTransformerOptions = TransformerEncoderOptions;

/** Options of {@link createViT}. */
export interface ViTOptions extends TransformerEncoderOptions {
  /**
   * Patch width P ∈ {7, 14, 21} [bins]; must divide `inputBins`, and the number of patches
   * n = inputBins / P must divide `embedDim`.
   * @defaultValue 21
   */
  patchSize?: VitPatchSize;
}

/** Options after validation, every field set. */
interface ResolvedEncoderOptions extends ResolvedCommonOptions {
  numHeads: number;
  numLayers: number;
  embedDim: number;
  dropoutRate: number;
}

/** Resolved ViT patch geometry. */
interface ResolvedPatch {
  patchSize: number;
  numPatches: number;
  channels: number;
}

const ENCODER_KEYS = ['numHeads', 'numLayers', 'embedDim', 'dropoutRate', 'searchSpace', 'numClasses', 'inputBins', 'name'] as const;
const VIT_KEYS = [...ENCODER_KEYS, 'patchSize'] as const;

function resolveEncoder(where: string, options: TransformerEncoderOptions, defaultName: string, keys: readonly string[]): ResolvedEncoderOptions {
  checkKnownKeys(where, options, keys);
  const common = resolveCommon(where, options, defaultName);
  const space = common.searchSpace;
  const numHeads = checkSize(where, 'numHeads', options.numHeads, 6, TRANSFORMER_HEADS, space);
  const numLayers = checkSize(where, 'numLayers', options.numLayers, 5, TRANSFORMER_LAYERS, space);
  const embedDim = checkSize(where, 'embedDim', options.embedDim, 576, TRANSFORMER_EMBED_DIMS, space);
  const dropoutRate = checkRate(where, 'dropoutRate', options.dropoutRate, TRANSFORMER_DROPOUT);
  if (embedDim % numHeads !== 0) {
    throw new ModelConfigError(`${where}: numHeads ${numHeads} does not divide embedDim ${embedDim} (each head gets embedDim / numHeads features)`, { field: 'numHeads' });
  }
  return { ...common, numHeads, numLayers, embedDim, dropoutRate };
}

function resolvePatch(where: string, options: ViTOptions, o: ResolvedEncoderOptions): ResolvedPatch {
  const patchSize = o.searchSpace === 'any'
    ? checkSize(where, 'patchSize', options.patchSize, 21, VIT_PATCH_SIZES, 'any')
    : checkChoice(where, 'patchSize', options.patchSize, 21, VIT_PATCH_SIZES, ' (thesis search space; pass searchSpace: \'any\' for other sizes)');
  if (o.inputBins % patchSize !== 0) {
    const fitting = VIT_PATCH_SIZES.filter((p) => o.inputBins % p === 0);
    throw new ModelConfigError(`${where}: patchSize ${patchSize} does not divide inputBins ${o.inputBins}` +
      (fitting.length > 0 ? `; patch sizes that fit: ${fitting.join(', ')}` : ''), { field: 'patchSize' });
  }
  const numPatches = o.inputBins / patchSize;
  if (o.embedDim % numPatches !== 0) {
    throw new ModelConfigError(`${where}: embedDim ${o.embedDim} is not divisible by the number of patches ${numPatches} (inputBins ${o.inputBins} / patchSize ${patchSize})`, { field: 'embedDim' });
  }
  return { patchSize, numPatches, channels: o.embedDim / numPatches };
}

/** Trainable parameters of the encoder (blocks and output layer) for embedding size D. */
function encoderParamCount(o: ResolvedEncoderOptions): number {
  const d = o.embedDim;
  const block = 2 * d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (4 * d * d + 4 * d) + (4 * d * d + d);
  return o.numLayers * block + d * o.numClasses + o.numClasses;
}

/** Applies `decoder.positional_encoding`, `decoder.layers.<i>` and `decoder.fc`. */
function applyEncoder(x: SymbolicTensor, o: ResolvedEncoderOptions): SymbolicTensor {
  let y = new AdtPositionalEncoding({ name: 'decoder.positional_encoding' }).apply(x) as SymbolicTensor;
  for (let i = 0; i < o.numLayers; i++) {
    y = new AdtTransformerBlock({ name: `decoder.layers.${i}`, numHeads: o.numHeads, dropoutRate: o.dropoutRate }).apply(y) as SymbolicTensor;
  }
  return torchLinear(y, { name: 'decoder.fc', units: o.numClasses, fanIn: o.embedDim });
}

function encoderInfo(o: ResolvedEncoderOptions): Record<string, unknown> {
  return {
    numHeads: o.numHeads,
    numLayers: o.numLayers,
    embedDim: o.embedDim,
    dropoutRate: o.dropoutRate,
    searchSpace: o.searchSpace,
    numClasses: o.numClasses,
    inputBins: o.inputBins,
    name: o.name,
  };
}

/**
 * Trainable parameter count of {@link createConvTransformer}'s model, computed without
 * building it.
 *
 * @param options - as for {@link createConvTransformer}
 * @returns the count (20,344,421 for the defaults, as the reference)
 * @throws ModelConfigError for options outside the allowed values
 */
export function convTransformerParamCount(options: ConvTransformerOptions = {}): number {
  const o = resolveEncoder('convTransformerParamCount', options, 'convTransformer', ENCODER_KEYS);
  const features = convFrontEndShape(o.inputBins, 2).features;
  return convFrontEndParamCount(2) + features * o.embedDim + o.embedDim + encoderParamCount(o);
}

/**
 * Trainable parameter count of {@link createViT}'s model, computed without building it.
 *
 * @param options - as for {@link createViT}
 * @returns the count (19,950,629 for the defaults, as the reference)
 * @throws ModelConfigError for options outside the allowed values
 */
export function vitParamCount(options: ViTOptions = {}): number {
  const o = resolveEncoder('vitParamCount', options, 'vit', VIT_KEYS);
  const { patchSize, numPatches, channels } = resolvePatch('vitParamCount', options, o);
  return patchSize * channels + channels + channels * numPatches + encoderParamCount(o);
}

/**
 * Builds the thesis Convolutional Transformer: two conv blocks (576 features per frame for
 * 84 bins) → Dense(D) → sinusoidal positional encoding → L pre-LayerNorm encoder blocks
 * (H heads, feed-forward 4D with exact GELU, dropout 0.1) → Dense(classes). There is no final
 * LayerNorm (as in the reference).
 *
 * @param options - architecture, see {@link ConvTransformerOptions}; thesis defaults
 *   H = 6, L = 5, D = 576
 * @returns an uncompiled LayersModel, input `[batch, T, inputBins, 1]`, output logits
 *   `[batch, T, numClasses]`; T is free (any length)
 * @throws ModelConfigError (code `INVALID_MODEL_CONFIG`, before any tensor or layer is made)
 *   for unknown options, values outside the search space, heads that do not divide D, or
 *   too few input bins for the two pooling stages
 * @example
 * ```ts
 * const model = createConvTransformer({ numHeads: 4, numLayers: 2, embedDim: 144 });
 * const logits = model.predict(tf.zeros([1, 400, 84, 1])) as tf.Tensor; // [1, 400, 5]
 * ```
 */
export function createConvTransformer(options: ConvTransformerOptions = {}): LayersModel {
  const where = 'createConvTransformer';
  const o = resolveEncoder(where, options, 'convTransformer', ENCODER_KEYS);
  const features = convFrontEndShape(o.inputBins, 2).features;
  const x = input({ shape: [null, o.inputBins, 1], name: 'spectrogram' });
  const encoded = applyConvFrontEnd(x, { numBlocks: 2, prefix: 'encoder.convolutions' });
  const projected = torchLinear(encoded, { name: 'projection', units: o.embedDim, fanIn: features });
  return finishModel({
    input: x,
    output: applyEncoder(projected, o),
    name: o.name,
    info: { architecture: 'convTransformer', options: encoderInfo(o), numClasses: o.numClasses, inputBins: o.inputBins },
  });
}

/**
 * Builds the thesis Vision Transformer: patch embedding (each frame's bins cut into
 * n = inputBins / P patches, each projected to D / n channels, plus a learnable
 * `[D / n, n]` position embedding, flattened channel-major to D; no Dense after it) →
 * sinusoidal positional encoding → L pre-LayerNorm encoder blocks → Dense(classes).
 *
 * @param options - architecture, see {@link ViTOptions}; thesis defaults P = 21, H = 6,
 *   L = 5, D = 576
 * @returns an uncompiled LayersModel, input `[batch, T, inputBins, 1]`, output logits
 *   `[batch, T, numClasses]`; T is free (any length)
 * @throws ModelConfigError (code `INVALID_MODEL_CONFIG`, before any tensor or layer is made)
 *   for unknown options, values outside the search space, heads that do not divide D, a
 *   patch size that does not divide the bins, or D not divisible by the number of patches
 * @example
 * ```ts
 * const model = createViT({ patchSize: 7, numHeads: 2, numLayers: 2, embedDim: 72 });
 * const logits = model.predict(tf.zeros([1, 400, 84, 1])) as tf.Tensor; // [1, 400, 5]
 * ```
 */
export function createViT(options: ViTOptions = {}): LayersModel {
  const where = 'createViT';
  const o = resolveEncoder(where, options, 'vit', VIT_KEYS);
  const patch = resolvePatch(where, options, o);
  const x = input({ shape: [null, o.inputBins, 1], name: 'spectrogram' });
  const embedded = new AdtPatchEmbedding({ name: 'patch_embedding', patchSize: patch.patchSize, channels: patch.channels }).apply(x) as SymbolicTensor;
  return finishModel({
    input: x,
    output: applyEncoder(embedded, o),
    name: o.name,
    info: { architecture: 'vit', options: { ...encoderInfo(o), patchSize: patch.patchSize }, numClasses: o.numClasses, inputBins: o.inputBins },
  });
}
