/**
 * CRNN architecture (reference `models.ConvolutionalRNN`): 2 conv blocks → per-frame
 * flatten → bidirectional GRU/LSTM stack → Linear(C). PyTorch module paths:
 * `encoder.convolutions.*`, `decoder.rnns`, `decoder.fc`.
 */
import { input as tfInput, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { CONV_BLOCK_DROPOUT, applyConvFrontEnd, convFrontEndParamCount, convFrontEndShape } from './convFrontEnd.js';
import { finishModel } from './modelInfo.js';
import {
  HIDDEN_SIZES, checkChoice, checkKnownKeys, checkRate, checkSize, resolveCommon, torchLinear,
  type CommonModelOptions, type HiddenSize, type ResolvedCommonOptions,
} from './options.js';
import { AdtBidirectionalRNN, bidirectionalRNNParamCount, type RecurrentCell } from './recurrent.js';

/** Layer counts of the CRNN search space. */
export const CRNN_NUM_LAYERS = [2, 3, 4, 5] as const;
/** Conv blocks of the CRNN (fixed in the thesis). */
export const CRNN_CONV_BLOCKS = 2;

export interface CRNNThesisSizes {
  /** Restrict sizes to the thesis search space. @defaultValue 'thesis' */
  searchSpace?: 'thesis';
  /** Stacked bidirectional layers L ∈ {2..5}. @defaultValue 3 */
  numLayers?: (typeof CRNN_NUM_LAYERS)[number];
  /** Units per direction H ∈ {72, 144, 288, 576}. @defaultValue 288 */
  hiddenSize?: HiddenSize;
}
export interface CRNNAnySizes {
  /** Accept any positive integer sizes. */
  searchSpace: 'any';
  /** Stacked bidirectional layers (≥ 1). @defaultValue 3 */
  numLayers?: number;
  /** Units per direction (≥ 1). @defaultValue 288 */
  hiddenSize?: number;
}

/** Options of {@link createCRNN}. */
export type CreateCRNNOptions = CommonModelOptions & (CRNNThesisSizes | CRNNAnySizes) & {
  /** Recurrent cell (reference `use_gru`). @defaultValue 'gru' */
  cell?: RecurrentCell;
  /** Dropout between recurrent layers during training. @defaultValue 0.1 */
  dropout?: number;
  /** Spatial dropout after each conv block during training. @defaultValue 0.3 */
  convDropout?: number;
};

/** {@link CreateCRNNOptions} with every default applied. */
export interface ResolvedCRNNOptions extends ResolvedCommonOptions {
  numLayers: number;
  hiddenSize: number;
  cell: RecurrentCell;
  dropout: number;
  convDropout: number;
}

const KEYS = ['numClasses', 'inputBins', 'name', 'searchSpace', 'numLayers', 'hiddenSize', 'cell', 'dropout', 'convDropout'] as const;

/**
 * Validates CRNN options and applies the defaults (thesis default CRNN(3, 288, GRU)).
 *
 * @param options - See {@link CreateCRNNOptions}.
 * @returns The resolved options.
 * @throws {@link ModelConfigError} for an unknown option, a value outside the allowed set, or
 *   fewer than 9 input bins.
 */
export function resolveCRNNOptions(options: CreateCRNNOptions = {}): ResolvedCRNNOptions {
  const where = 'createCRNN';
  checkKnownKeys(where, options, KEYS);
  const common = resolveCommon(where, options, 'crnn');
  const o = options as Record<string, unknown>;
  const r: ResolvedCRNNOptions = {
    ...common,
    numLayers: checkSize(where, 'numLayers', o.numLayers, 3, CRNN_NUM_LAYERS, common.searchSpace),
    hiddenSize: checkSize(where, 'hiddenSize', o.hiddenSize, 288, HIDDEN_SIZES, common.searchSpace),
    cell: checkChoice(where, 'cell', o.cell, 'gru' as RecurrentCell, ['gru', 'lstm'] as const),
    dropout: checkRate(where, 'dropout', o.dropout, 0.1),
    convDropout: checkRate(where, 'convDropout', o.convDropout, CONV_BLOCK_DROPOUT),
  };
  convFrontEndShape(r.inputBins, CRNN_CONV_BLOCKS);
  return r;
}

/**
 * Trainable parameters of a CRNN, computed without building it.
 *
 * @param options - See {@link CreateCRNNOptions}.
 * @returns The count (4,557,413 for the defaults).
 * @throws {@link ModelConfigError} for invalid options.
 */
export function countCRNNParams(options: CreateCRNNOptions = {}): number {
  const r = resolveCRNNOptions(options);
  const features = convFrontEndShape(r.inputBins, CRNN_CONV_BLOCKS).features;
  return convFrontEndParamCount(CRNN_CONV_BLOCKS) +
    bidirectionalRNNParamCount(r.cell, features, r.hiddenSize, r.numLayers) +
    (2 * r.hiddenSize + 1) * r.numClasses;
}

/**
 * Builds the thesis CRNN: input [batch, T, bins, 1] → 2 conv blocks → per-frame flatten
 * (576 features for 84 bins) → bidirectional GRU/LSTM stack → Linear(2H → C). Output logits
 * [batch, T, C]. T is free.
 *
 * @param options - Sizes, cell, classes, bins; see {@link CreateCRNNOptions}.
 * @returns An uncompiled TF.js LayersModel, initialised as PyTorch would.
 * @throws {@link ModelConfigError} for invalid options (before any tensor is created).
 * @example
 * ```ts
 * const model = createCRNN(); // CRNN(3, 288, GRU), 4,557,413 trainable parameters
 * ```
 */
export function createCRNN(options: CreateCRNNOptions = {}): LayersModel {
  const r = resolveCRNNOptions(options);
  const input = tfInput({ shape: [null, r.inputBins, 1], name: 'spectrogram' });
  let x = applyConvFrontEnd(input, { numBlocks: CRNN_CONV_BLOCKS, prefix: 'encoder.convolutions', dropoutRate: r.convDropout });
  x = new AdtBidirectionalRNN({ name: 'decoder.rnns', cell: r.cell, units: r.hiddenSize, numLayers: r.numLayers, dropout: r.dropout }).apply(x) as SymbolicTensor;
  const output = torchLinear(x, { name: 'decoder.fc', units: r.numClasses, fanIn: 2 * r.hiddenSize });
  return finishModel({ input, output, name: r.name, info: { architecture: 'crnn', options: { ...r }, numClasses: r.numClasses, inputBins: r.inputBins } });
}
