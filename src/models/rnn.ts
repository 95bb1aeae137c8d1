/**
 * RNN architecture (reference `models.RNN`): bidirectional GRU/LSTM stack on the input bins,
 * then a frame-wise Linear layer. PyTorch module paths: `recurrent.rnns`, `recurrent.fc`.
 */
import { input as tfInput, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { AdtFrameFlatten } from './convFrontEnd.js';
import { finishModel } from './modelInfo.js';
import {
  HIDDEN_SIZES, checkChoice, checkKnownKeys, checkRate, checkSize, resolveCommon, torchLinear,
  type CommonModelOptions, type HiddenSize, type ResolvedCommonOptions,
} from './options.js';
import { AdtBidirectionalRNN, bidirectionalRNNParamCount, type RecurrentCell } from './recurrent.js';

/** Layer counts of the RNN search space. */
export const RNN_NUM_LAYERS = [2, 3, 4, 5, 6] as const;

export interface RNNThesisSizes {
  /** Restrict sizes to the thesis search space. @defaultValue 'thesis' */
  searchSpace?: 'thesis';
  /** Stacked bidirectional layers L ∈ {2..6}. @defaultValue 3 */
  numLayers?: (typeof RNN_NUM_LAYERS)[number];
  /** Units per direction H ∈ {72, 144, 288, 576}. @defaultValue 288 */
  hiddenSize?: HiddenSize;
}
export interface RNNAnySizes {
  /** Accept any positive integer sizes. */
  searchSpace: 'any';
  /** Stacked bidirectional layers (≥ 1). @defaultValue 3 */
  numLayers?: number;
  /** Units per direction (≥ 1). @defaultValue 288 */
  hiddenSize?: number;
}

/** Options of {@link createRNN}. */
export type CreateRNNOptions = CommonModelOptions & (RNNThesisSizes | RNNAnySizes) & {
  /** Recurrent cell (reference `use_gru`). @defaultValue 'gru' */
  cell?: RecurrentCell;
  /** Dropout between recurrent layers during training. @defaultValue 0.1 */
  dropout?: number;
};

/** {@link CreateRNNOptions} with every default applied. */
export interface ResolvedRNNOptions extends ResolvedCommonOptions {
  numLayers: number;
  hiddenSize: number;
  cell: RecurrentCell;
  dropout: number;
}

const KEYS = ['numClasses', 'inputBins', 'name', 'searchSpace', 'numLayers', 'hiddenSize', 'cell', 'dropout'] as const;

/**
 * Validates RNN options and applies the defaults (thesis default RNN(3, 288, GRU)).
 *
 * @param options - See {@link CreateRNNOptions}.
 * @returns The resolved options.
 * @throws {@link ModelConfigError} for an unknown option or a value outside the allowed set.
 */
export function resolveRNNOptions(options: CreateRNNOptions = {}): ResolvedRNNOptions {
  const where = 'createRNN';
  checkKnownKeys(where, options, KEYS);
  const common = resolveCommon(where, options, 'rnn');
  const o = options as Record<string, unknown>;
  return {
    ...common,
    numLayers: checkSize(where, 'numLayers', o.numLayers, 3, RNN_NUM_LAYERS, common.searchSpace),
    hiddenSize: checkSize(where, 'hiddenSize', o.hiddenSize, 288, HIDDEN_SIZES, common.searchSpace),
    cell: checkChoice(where, 'cell', o.cell, 'gru' as RecurrentCell, ['gru', 'lstm'] as const),
    dropout: checkRate(where, 'dropout', o.dropout, 0.1),
  };
}

/**
 * Trainable parameters of an RNN, computed without building it.
 *
 * @param options - See {@link CreateRNNOptions}.
 * @returns The count (3,642,053 for the defaults).
 * @throws {@link ModelConfigError} for invalid options.
 */
export function countRNNParams(options: CreateRNNOptions = {}): number {
  const r = resolveRNNOptions(options);
  return bidirectionalRNNParamCount(r.cell, r.inputBins, r.hiddenSize, r.numLayers) + (2 * r.hiddenSize + 1) * r.numClasses;
}

/**
 * Builds the thesis RNN: input [batch, T, bins, 1] → bidirectional GRU/LSTM stack (L layers,
 * H units per direction, dropout between layers) → Linear(2H → C). Output logits [batch, T, C]
 * (no sigmoid). T is free.
 *
 * @param options - Sizes, cell, classes, bins; see {@link CreateRNNOptions}.
 * @returns An uncompiled TF.js LayersModel, initialised as PyTorch would.
 * @throws {@link ModelConfigError} for invalid options (before any tensor is created).
 * @example
 * ```ts
 * const model = createRNN({ numLayers: 2, hiddenSize: 72, cell: 'lstm' });
 * const logits = model.predict(tf.zeros([1, 400, 84, 1])) as tf.Tensor; // [1, 400, 5]
 * ```
 */
export function createRNN(options: CreateRNNOptions = {}): LayersModel {
  const r = resolveRNNOptions(options);
  const input = tfInput({ shape: [null, r.inputBins, 1], name: 'spectrogram' });
  let x = new AdtFrameFlatten({ name: 'recurrent.flatten' }).apply(input) as SymbolicTensor;
  x = new AdtBidirectionalRNN({ name: 'recurrent.rnns', cell: r.cell, units: r.hiddenSize, numLayers: r.numLayers, dropout: r.dropout }).apply(x) as SymbolicTensor;
  const output = torchLinear(x, { name: 'recurrent.fc', units: r.numClasses, fanIn: 2 * r.hiddenSize });
  return finishModel({ input, output, name: r.name, info: { architecture: 'rnn', options: { ...r }, numClasses: r.numClasses, inputBins: r.inputBins } });
}
