/**
 * Hyper-parameter search spaces: the SPEC §4 architecture grids plus the §5 optimizer ranges.
 */
import { InvalidArgumentError } from '../errors.js';
import { CNN_NUM_CONV_BLOCKS, CNN_NUM_LAYERS, CRNN_NUM_LAYERS, HIDDEN_SIZES, RNN_NUM_LAYERS } from '../models/index.js';
import { TRANSFORMER_NUM_HEADS } from '../models/transformer.js';
import { VIT_PATCH_SIZES } from '../models/vit.js';

/** A value a parameter can take. */
export type ParamValue = number | string | boolean;

/** One searchable parameter. */
export type ParamSpec =
  | { type: 'categorical'; choices: readonly ParamValue[] }
  | { type: 'logUniform'; low: number; high: number }
  | { type: 'uniform'; low: number; high: number }
  | { type: 'int'; low: number; high: number };

/** Parameters by name. */
export type SearchSpace = Readonly<Record<string, ParamSpec>>;

/** A point of a search space. */
export type ParamSet = Record<string, ParamValue>;

/** Learning rate and weight decay ranges of the thesis (SPEC §5). */
export const OPTIMIZER_SEARCH_SPACE: SearchSpace = Object.freeze({
  learningRate: { type: 'logUniform', low: 1e-4, high: 5e-3 },
  weightDecay: { type: 'logUniform', low: 1e-6, high: 1e-2 },
});

const cat = (choices: readonly ParamValue[]): ParamSpec => ({ type: 'categorical', choices });

/**
 * The thesis search spaces per architecture (SPEC §4 + §5), keyed like the model factories'
 * options (`createRNN`, `createCNN`, `createCRNN`, `createConvTransformer`, `createViT`), plus
 * `learningRate` and `weightDecay`.
 */
export const THESIS_SEARCH_SPACES: Readonly<Record<'rnn' | 'cnn' | 'crnn' | 'convTransformer' | 'vit', SearchSpace>> = Object.freeze({
  rnn: { numLayers: cat(RNN_NUM_LAYERS), hiddenSize: cat(HIDDEN_SIZES), cell: cat(['gru', 'lstm']), ...OPTIMIZER_SEARCH_SPACE },
  cnn: { numConvBlocks: cat(CNN_NUM_CONV_BLOCKS), numLayers: cat(CNN_NUM_LAYERS), hiddenSize: cat(HIDDEN_SIZES), ...OPTIMIZER_SEARCH_SPACE },
  crnn: { numLayers: cat(CRNN_NUM_LAYERS), hiddenSize: cat(HIDDEN_SIZES), cell: cat(['gru', 'lstm']), ...OPTIMIZER_SEARCH_SPACE },
  // SPEC §4 grid of encoder blocks (the models also accept the thesis default 5).
  convTransformer: { numHeads: cat(TRANSFORMER_NUM_HEADS), numLayers: cat([2, 4, 6, 8, 10]), embedDim: cat(HIDDEN_SIZES), ...OPTIMIZER_SEARCH_SPACE },
  vit: { patchSize: cat(VIT_PATCH_SIZES), numHeads: cat(TRANSFORMER_NUM_HEADS), numLayers: cat([2, 4, 6, 8, 10]), embedDim: cat(HIDDEN_SIZES), ...OPTIMIZER_SEARCH_SPACE },
});

/**
 * Checks a search space: known types, low < high, positive bounds for log-uniform, non-empty
 * choices.
 * @throws InvalidArgumentError naming the parameter.
 */
export function validateSearchSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new InvalidArgumentError('the search space has no parameters', { field: 'space' });
  for (const name of names) {
    const p = space[name];
    const bad = (why: string) => new InvalidArgumentError(`search space parameter "${name}": ${why}, got ${JSON.stringify(p)}`, { field: `space.${name}` });
    if (p.type === 'categorical') {
      if (!Array.isArray(p.choices) || p.choices.length === 0) throw bad('categorical needs a non-empty choices list');
    } else if (p.type === 'logUniform' || p.type === 'uniform' || p.type === 'int') {
      if (!Number.isFinite(p.low) || !Number.isFinite(p.high) || !(p.low < p.high)) throw bad('needs finite low < high');
      if (p.type === 'logUniform' && !(p.low > 0)) throw bad('log-uniform needs low > 0');
      if (p.type === 'int' && (!Number.isInteger(p.low) || !Number.isInteger(p.high))) throw bad('int needs integer bounds');
    } else {
      throw bad(`unknown type (expected categorical, logUniform, uniform or int)`);
    }
  }
}
