/**
 * CNN architecture (reference `models.CNN`): I conv blocks, L × (Linear(H) + ReLU), Linear(C).
 * PyTorch module paths: `encoder.convolutions.*`, `dense.0`, `dense.2`, …, `fc`.
 */
import { input as tfInput, type LayersModel } from '@tensorflow/tfjs-layers';
import { CONV_BLOCK_DROPOUT, applyConvFrontEnd, convFrontEndParamCount, convFrontEndShape } from './convFrontEnd.js';
import { finishModel } from './modelInfo.js';
import {
  HIDDEN_SIZES, checkKnownKeys, checkRate, checkSize, resolveCommon, torchLinear,
  type CommonModelOptions, type HiddenSize, type ResolvedCommonOptions,
} from './options.js';

/** Conv block counts of the CNN search space. */
export const CNN_NUM_CONV_BLOCKS = [1, 2, 3] as const;
/** Dense layer counts of the CNN search space. */
export const CNN_NUM_LAYERS = [1, 2, 3, 4] as const;

export interface CNNThesisSizes {
  /** Restrict sizes to the thesis search space. @defaultValue 'thesis' */
  searchSpace?: 'thesis';
  /** Conv blocks I ∈ {1, 2, 3} (reference `num_convs`). @defaultValue 2 */
  numConvBlocks?: (typeof CNN_NUM_CONV_BLOCKS)[number];
  /** Dense + ReLU layers L ∈ {1..4}. @defaultValue 2 */
  numLayers?: (typeof CNN_NUM_LAYERS)[number];
  /** Dense width H ∈ {72, 144, 288, 576}. @defaultValue 288 */
  hiddenSize?: HiddenSize;
}
export interface CNNAnySizes {
  /** Accept any positive integer sizes. */
  searchSpace: 'any';
  /** Conv blocks (≥ 1). @defaultValue 2 */
  numConvBlocks?: number;
  /** Dense + ReLU layers (≥ 1). @defaultValue 2 */
  numLayers?: number;
  /** Dense width (≥ 1). @defaultValue 288 */
  hiddenSize?: number;
}

/** Options of {@link createCNN}. */
export type CreateCNNOptions = CommonModelOptions & (CNNThesisSizes | CNNAnySizes) & {
  /** Spatial dropout after each conv block during training. @defaultValue 0.3 */
  convDropout?: number;
};

/** {@link CreateCNNOptions} with every default applied. */
export interface ResolvedCNNOptions extends ResolvedCommonOptions {
  numConvBlocks: number;
  numLayers: number;
  hiddenSize: number;
  convDropout: number;
}

const KEYS = ['numClasses', 'inputBins', 'name', 'searchSpace', 'numConvBlocks', 'numLayers', 'hiddenSize', 'convDropout'] as const;

/**
 * Validates CNN options and applies the defaults (thesis default CNN(2, 2, 288)).
 *
 * @param options - See {@link CreateCNNOptions}.
 * @returns The resolved options.
 * @throws {@link ModelConfigError} for an unknown option, a value outside the allowed set, or
 *   too few input bins for the pooling.
 */
export function resolveCNNOptions(options: CreateCNNOptions = {}): ResolvedCNNOptions {
  const where = 'createCNN';
  checkKnownKeys(where, options, KEYS);
  const common = resolveCommon(where, options, 'cnn');
  const o = options as Record<string, unknown>;
  const r: ResolvedCNNOptions = {
    ...common,
    numConvBlocks: checkSize(where, 'numConvBlocks', o.numConvBlocks, 2, CNN_NUM_CONV_BLOCKS, common.searchSpace),
    numLayers: checkSize(where, 'numLayers', o.numLayers, 2, CNN_NUM_LAYERS, common.searchSpace),
    hiddenSize: checkSize(where, 'hiddenSize', o.hiddenSize, 288, HIDDEN_SIZES, common.searchSpace),
    convDropout: checkRate(where, 'convDropout', o.convDropout, CONV_BLOCK_DROPOUT),
  };
  convFrontEndShape(r.inputBins, r.numConvBlocks); // throws when the bins are too few
  return r;
}

/**
 * Trainable parameters of a CNN, computed without building it.
 *
 * @param options - See {@link CreateCNNOptions}.
 * @returns The count (316,037 for the defaults).
 * @throws {@link ModelConfigError} for invalid options.
 */
export function countCNNParams(options: CreateCNNOptions = {}): number {
  const r = resolveCNNOptions(options);
  let fanIn = convFrontEndShape(r.inputBins, r.numConvBlocks).features;
  let total = convFrontEndParamCount(r.numConvBlocks);
  for (let l = 0; l < r.numLayers; l++) {
    total += (fanIn + 1) * r.hiddenSize;
    fanIn = r.hiddenSize;
  }
  return total + (fanIn + 1) * r.numClasses;
}

/**
 * Builds the thesis CNN: input [batch, T, bins, 1] → I conv blocks → per-frame flatten
 * (channel-major) → L × (Dense(H) + ReLU) → Dense(C). Output logits [batch, T, C]. T is free.
 *
 * @param options - Sizes, classes, bins; see {@link CreateCNNOptions}.
 * @returns An uncompiled TF.js LayersModel, initialised as PyTorch would.
 * @throws {@link ModelConfigError} for invalid options (before any tensor is created).
 * @example
 * ```ts
 * const model = createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72 });
 * ```
 */
export function createCNN(options: CreateCNNOptions = {}): LayersModel {
  const r = resolveCNNOptions(options);
  const input = tfInput({ shape: [null, r.inputBins, 1], name: 'spectrogram' });
  let x = applyConvFrontEnd(input, { numBlocks: r.numConvBlocks, prefix: 'encoder.convolutions', dropoutRate: r.convDropout });
  let fanIn = convFrontEndShape(r.inputBins, r.numConvBlocks).features;
  for (let l = 0; l < r.numLayers; l++) {
    // PyTorch nn.Sequential(Linear, ReLU, Linear, ReLU, ...): Linear l sits at index 2l.
    x = torchLinear(x, { name: `dense.${2 * l}`, units: r.hiddenSize, fanIn, activation: 'relu' });
    fanIn = r.hiddenSize;
  }
  const output = torchLinear(x, { name: 'fc', units: r.numClasses, fanIn });
  return finishModel({ input, output, name: r.name, info: { architecture: 'cnn', options: { ...r }, numClasses: r.numClasses, inputBins: r.inputBins } });
}
