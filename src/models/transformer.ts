/**
 * The thesis Convolutional Transformer (reference `models.ConvolutionalTransformer`) and the
 * transformer encoder it shares with the Vision Transformer (./vit.ts), the reference
 * `models.attention.AttentionDecoder`: sinusoidal positional encoding → L pre-LayerNorm
 * blocks → Linear(D → C), with no final LayerNorm.
 *
 * PyTorch module paths (layer names, see ./torchWeights.ts): `encoder.convolutions.*`,
 * `projection`, `decoder.positional_encoding`, `decoder.layers.<i>`, `decoder.fc`.
 */
import { input as tfInput, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import { AdtTransformerBlock } from './attention.js';
import { CONV_BLOCK_DROPOUT, applyConvFrontEnd, convFrontEndParamCount, convFrontEndShape } from './convFrontEnd.js';
import { finishModel } from './modelInfo.js';
import {
  HIDDEN_SIZES, checkKnownKeys, checkRate, checkSize, resolveCommon, torchLinear,
  type CommonModelOptions, type HiddenSize, type ResolvedCommonOptions,
} from './options.js';
import { AdtPositionalEncoding } from './positionalEncoding.js';

/** Attention heads H of the thesis search space. */
export const TRANSFORMER_NUM_HEADS = [2, 4, 6, 8] as const;
/**
 * Encoder block counts L of the thesis search space: the grid {2, 4, 6, 8, 10} plus the
 * thesis default 5.
 */
export const TRANSFORMER_NUM_LAYERS = [2, 4, 5, 6, 8, 10] as const;
/** Dropout after the attention and after the feed-forward network of each block. */
export const TRANSFORMER_DROPOUT = 0.1;
/** Conv blocks of the Convolutional Transformer (fixed in the thesis). */
export const CONV_TRANSFORMER_CONV_BLOCKS = 2;

/** Sizes of the transformer encoder restricted to the thesis search space. */
export interface TransformerThesisSizes {
  /** Restrict sizes to the thesis search space. @defaultValue 'thesis' */
  searchSpace?: 'thesis';
  /** Attention heads H ∈ {2, 4, 6, 8}. @defaultValue 6 */
  numHeads?: (typeof TRANSFORMER_NUM_HEADS)[number];
  /** Encoder blocks L ∈ {2, 4, 5, 6, 8, 10}. @defaultValue 5 */
  numLayers?: (typeof TRANSFORMER_NUM_LAYERS)[number];
  /** Embedding size D ∈ {72, 144, 288, 576}. @defaultValue 576 */
  embedDim?: HiddenSize;
}

/** Any sizes of the transformer encoder (e.g. the 1-layer reference fixtures). */
export interface TransformerAnySizes {
  /** Accept any positive integer sizes. */
  searchSpace: 'any';
  /** Attention heads (≥ 1, must divide `embedDim`). @defaultValue 6 */
  numHeads?: number;
  /** Encoder blocks (≥ 1). @defaultValue 5 */
  numLayers?: number;
  /** Embedding size (≥ 1). @defaultValue 576 */
  embedDim?: number;
}

/** Options of the transformer encoder shared by both transformer factories. */
export type TransformerEncoderOptions = CommonModelOptions & (TransformerThesisSizes | TransformerAnySizes) & {
  /** Dropout in the encoder blocks during training, in [0, 1). @defaultValue 0.1 */
  dropout?: number;
};

/** Options of {@link createConvTransformer}. */
export type CreateConvTransformerOptions = TransformerEncoderOptions & {
  /** Spatial dropout after each conv block during training. @defaultValue 0.3 */
  convDropout?: number;
};

/** Resolved encoder options, every default applied. */
export interface ResolvedTransformerEncoderOptions extends ResolvedCommonOptions {
  numHeads: number;
  numLayers: number;
  embedDim: number;
  dropout: number;
}

/** {@link CreateConvTransformerOptions} with every default applied. */
export interface ResolvedConvTransformerOptions extends ResolvedTransformerEncoderOptions {
  convDropout: number;
}

/** Option keys of the encoder (factories add their own). */
export const TRANSFORMER_ENCODER_KEYS = ['numClasses', 'inputBins', 'name', 'searchSpace', 'numHeads', 'numLayers', 'embedDim', 'dropout'] as const;

/**
 * Validates the encoder options (after `checkKnownKeys`) and applies the defaults.
 *
 * @param where - Factory name for messages.
 * @param options - The factory options.
 * @param defaultName - Model name when `options.name` is absent.
 * @returns The resolved encoder options.
 * @throws {@link ModelConfigError} for values outside the allowed sets or heads that do not divide D.
 */
export function resolveTransformerEncoder(where: string, options: TransformerEncoderOptions, defaultName: string): ResolvedTransformerEncoderOptions {
  const common = resolveCommon(where, options, defaultName);
  const o = options as Record<string, unknown>;
  const numHeads = checkSize(where, 'numHeads', o.numHeads, 6, TRANSFORMER_NUM_HEADS, common.searchSpace);
  const numLayers = checkSize(where, 'numLayers', o.numLayers, 5, TRANSFORMER_NUM_LAYERS, common.searchSpace);
  const embedDim = checkSize(where, 'embedDim', o.embedDim, 576, HIDDEN_SIZES, common.searchSpace);
  const dropout = checkRate(where, 'dropout', o.dropout, TRANSFORMER_DROPOUT);
  if (embedDim % numHeads !== 0) {
    throw new ModelConfigError(`${where}: numHeads ${numHeads} does not divide embedDim ${embedDim} (each head takes embedDim / numHeads features)`, { field: 'numHeads' });
  }
  return { ...common, numHeads, numLayers, embedDim, dropout };
}

/**
 * Trainable parameters of the encoder (L blocks of 12D² + 13D, then Linear(D → C)).
 *
 * @param r - Resolved encoder options.
 * @returns The count.
 */
export function transformerEncoderParamCount(r: ResolvedTransformerEncoderOptions): number {
  const d = r.embedDim;
  const block = 2 * d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (4 * d * d + 4 * d) + (4 * d * d + d);
  return r.numLayers * block + (d + 1) * r.numClasses;
}

/**
 * Applies the encoder to a symbolic `[batch, T, D]` tensor: `decoder.positional_encoding`,
 * `decoder.layers.<i>`, `decoder.fc`.
 *
 * @param x - Symbolic `[batch, T, D]`.
 * @param r - Resolved encoder options.
 * @returns Symbolic logits `[batch, T, C]`.
 */
export function applyTransformerEncoder(x: SymbolicTensor, r: ResolvedTransformerEncoderOptions): SymbolicTensor {
  let y = new AdtPositionalEncoding({ name: 'decoder.positional_encoding' }).apply(x) as SymbolicTensor;
  for (let i = 0; i < r.numLayers; i++) {
    y = new AdtTransformerBlock({ name: `decoder.layers.${i}`, numHeads: r.numHeads, dropoutRate: r.dropout }).apply(y) as SymbolicTensor;
  }
  return torchLinear(y, { name: 'decoder.fc', units: r.numClasses, fanIn: r.embedDim });
}

const KEYS = [...TRANSFORMER_ENCODER_KEYS, 'convDropout'] as const;

/**
 * Validates Convolutional Transformer options and applies the defaults (thesis default
 * H = 6, L = 5, D = 576).
 *
 * @param options - See {@link CreateConvTransformerOptions}.
 * @returns The resolved options.
 * @throws {@link ModelConfigError} for an unknown option, a value outside the allowed set,
 *   heads that do not divide D, or fewer than 9 input bins.
 */
export function resolveConvTransformerOptions(options: CreateConvTransformerOptions = {}): ResolvedConvTransformerOptions {
  const where = 'createConvTransformer';
  checkKnownKeys(where, options, KEYS);
  const encoder = resolveTransformerEncoder(where, options, 'convTransformer');
  const r = { ...encoder, convDropout: checkRate(where, 'convDropout', (options as Record<string, unknown>).convDropout, CONV_BLOCK_DROPOUT) };
  convFrontEndShape(r.inputBins, CONV_TRANSFORMER_CONV_BLOCKS);
  return r;
}

/**
 * Trainable parameters of a Convolutional Transformer, computed without building it.
 *
 * @param options - See {@link CreateConvTransformerOptions}.
 * @returns The count (20,344,421 for the defaults, as the reference).
 * @throws {@link ModelConfigError} for invalid options.
 */
export function countConvTransformerParams(options: CreateConvTransformerOptions = {}): number {
  const r = resolveConvTransformerOptions(options);
  const features = convFrontEndShape(r.inputBins, CONV_TRANSFORMER_CONV_BLOCKS).features;
  return convFrontEndParamCount(CONV_TRANSFORMER_CONV_BLOCKS) + (features + 1) * r.embedDim + transformerEncoderParamCount(r);
}

/**
 * Builds the thesis Convolutional Transformer: input [batch, T, bins, 1] → 2 conv blocks →
 * per-frame flatten (576 features for 84 bins) → Linear(D) → sinusoidal positional
 * encoding → L pre-LayerNorm blocks (LN → H-head self-attention → dropout → residual;
 * LN → Linear(4D) → exact GELU → Linear(D) → dropout → residual) → Linear(D → C).
 * Output logits [batch, T, C]; T is free (any length).
 *
 * @param options - Sizes, classes, bins, dropout; see {@link CreateConvTransformerOptions}.
 * @returns An uncompiled TF.js LayersModel, initialised as PyTorch would.
 * @throws {@link ModelConfigError} for invalid options (before any tensor is created).
 * @example
 * ```ts
 * const model = createConvTransformer(); // H = 6, L = 5, D = 576: 20,344,421 parameters
 * const small = createConvTransformer({ numHeads: 4, numLayers: 2, embedDim: 144 });
 * ```
 */
export function createConvTransformer(options: CreateConvTransformerOptions = {}): LayersModel {
  const r = resolveConvTransformerOptions(options);
  const features = convFrontEndShape(r.inputBins, CONV_TRANSFORMER_CONV_BLOCKS).features;
  const input = tfInput({ shape: [null, r.inputBins, 1], name: 'spectrogram' });
  const encoded = applyConvFrontEnd(input, { numBlocks: CONV_TRANSFORMER_CONV_BLOCKS, prefix: 'encoder.convolutions', dropoutRate: r.convDropout });
  const projected = torchLinear(encoded, { name: 'projection', units: r.embedDim, fanIn: features });
  const output = applyTransformerEncoder(projected, r);
  return finishModel({ input, output, name: r.name, info: { architecture: 'convTransformer', options: { ...r }, numClasses: r.numClasses, inputBins: r.inputBins } });
}
