/**
 * Hyper-parameter search: trials proposed by a sampler (random or TPE), evaluated by a
 * user objective (typically: build a model from the parameters, `train` it, return the best
 * validation micro-F1), recorded to a JSON file after every change so that a search killed at
 * any point resumes where it stopped.
 */
import { AdtError, InvalidArgumentError } from '../errors.js';
import { Rng, deriveSeed } from './random.js';
import { RandomSampler, TPESampler } from './samplers.js';
import type { ObservedTrial, Sampler } from './samplers.js';
import { validateSearchSpace } from './searchSpace.js';
import type { ParamSet, SearchSpace } from './searchSpace.js';
import { nodeFs, nodePath } from '../nodeBuiltins.js';

/** State of a trial. */
export type TrialState = 'running' | 'complete' | 'failed';

/** One trial of a search, as recorded. */
export interface TrialRecord {
  /** 0-based trial number. */
  number: number;
  params: ParamSet;
  state: TrialState;
  /** Objective value (null unless complete). */
  value: number | null;
  /** Error message of a failed trial. */
  error?: string;
  /** Wall time [s] (null while running). */
  seconds: number | null;
}

/** The JSON file of a search. */
export interface SearchRecord {
  format: 'adtkit-search';
  version: 1;
  seed: number;
  direction: 'maximize' | 'minimize';
  sampler: string;
  space: SearchSpace;
  trials: TrialRecord[];
}

/** What the objective receives. */
export interface TrialContext {
  /** Trial number (0-based), e.g. to name a checkpoint directory per trial. */
  number: number;
  /** Seed for this trial (derived from the search seed and the trial number). */
  seed: number;
  /** True when this trial was interrupted before and is being run again (resume its training). */
  resumed: boolean;
}

/** Options of {@link hyperparameterSearch}. */
export interface HyperparameterSearchOptions {
  /** Parameters and their ranges, e.g. `THESIS_SEARCH_SPACES.crnn`. */
  space: SearchSpace;
  /** Evaluates one set of parameters; returns the objective value (e.g. validation micro-F1). */
  objective: (params: ParamSet, context: TrialContext) => Promise<number> | number;
  /** Total number of trials (including those already in the file). @defaultValue 15 (the thesis) */
  trials?: number;
  /** `'tpe'`, `'random'` or a {@link Sampler}. @defaultValue 'tpe' */
  sampler?: 'tpe' | 'random' | Sampler;
  /** Maximise or minimise the objective. @defaultValue 'maximize' */
  direction?: 'maximize' | 'minimize';
  /** Seed of the sampler. @defaultValue 0 */
  seed?: number;
  /** Node: JSON file recording the trials; an existing file is resumed. */
  file?: string;
  /** Called after every finished trial. */
  onTrial?: (trial: TrialRecord, record: SearchRecord) => void | Promise<void>;
  /** Stops after the current trial. */
  signal?: AbortSignal;
  /** Record a throwing objective as a failed trial and go on (true), or rethrow (false). @defaultValue false */
  continueOnError?: boolean;
}

/** Result of {@link hyperparameterSearch}. */
export interface HyperparameterSearchResult {
  record: SearchRecord;
  /** The best complete trial, or null when none completed. */
  best: TrialRecord | null;
}

async function readRecord(file: string): Promise<SearchRecord | null> {
  const fs = await nodeFs('adtkit/train');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const record = JSON.parse(text) as SearchRecord;
    if (record.format !== 'adtkit-search' || !Array.isArray(record.trials)) throw new Error(`format ${JSON.stringify(record.format)}`);
    return record;
  } catch (cause) {
    throw new AdtError('CORRUPT_FILE', `${file}: not an adtkit search record (${(cause as Error).message})`, { file, cause });
  }
}

async function writeRecord(file: string, record: SearchRecord): Promise<void> {
  const fs = await nodeFs('adtkit/train');
  const path = await nodePath('adtkit/train');
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(record, null, 1));
  await fs.rename(tmp, file);
}

function bestOf(record: SearchRecord): TrialRecord | null {
  const sign = record.direction === 'maximize' ? 1 : -1;
  let best: TrialRecord | null = null;
  for (const t of record.trials) {
    if (t.state === 'complete' && t.value !== null && (best === null || sign * t.value > sign * (best.value as number))) best = t;
  }
  return best;
}

/**
 * Runs (or resumes) a hyper-parameter search; see the module comment. Trials run one after
 * the other; trial k's sampler draws come from a generator seeded by (seed, k), so a resumed
 * search proposes the same parameters as an uninterrupted one.
 *
 * @param options - see {@link HyperparameterSearchOptions}.
 * @returns all trial records and the best trial.
 * @throws InvalidArgumentError for a bad space or a file written for another space, seed or
 *   direction; AdtError CORRUPT_FILE for an unreadable record; whatever the objective throws
 *   (unless `continueOnError`).
 * @example
 * ```ts
 * const { best } = await hyperparameterSearch({
 *   space: THESIS_SEARCH_SPACES.crnn, trials: 15, file: 'runs/crnn-search.json',
 *   objective: async (p, t) => (await train(() => createCRNN(p), data, { ...p, seed: t.seed })).bestValidationMicroF1 ?? 0,
 * });
 * ```
 */
export async function hyperparameterSearch(options: HyperparameterSearchOptions): Promise<HyperparameterSearchResult> {
  const { space, objective } = options;
  validateSearchSpace(space);
  const trials = options.trials ?? 15;
  if (!Number.isInteger(trials) || trials < 1) throw new InvalidArgumentError(`trials must be a positive integer, got ${trials}`, { field: 'trials' });
  const seed = options.seed ?? 0;
  const direction = options.direction ?? 'maximize';
  const samplerOption = options.sampler ?? 'tpe';
  const sampler: Sampler = samplerOption === 'tpe' ? new TPESampler() : samplerOption === 'random' ? new RandomSampler() : samplerOption;
  const samplerName = typeof samplerOption === 'string' ? samplerOption : sampler.constructor.name;
  let record: SearchRecord = { format: 'adtkit-search', version: 1, seed, direction, sampler: samplerName, space, trials: [] };
  if (options.file !== undefined) {
    const previous = await readRecord(options.file);
    if (previous !== null) {
      const mismatch = previous.seed !== seed ? `seed ${previous.seed} (this run: ${seed})`
        : previous.direction !== direction ? `direction ${previous.direction} (this run: ${direction})`
        : previous.sampler !== samplerName ? `sampler ${previous.sampler} (this run: ${samplerName})`
        : JSON.stringify(previous.space) !== JSON.stringify(space) ? 'another search space' : null;
      if (mismatch !== null) {
        throw new InvalidArgumentError(`${options.file} records a search with ${mismatch}; use another file to start a new search`, { field: 'file', file: options.file });
      }
      record = previous;
    }
  }
  const save = async () => {
    if (options.file !== undefined) await writeRecord(options.file, record);
  };
  const sign = direction === 'maximize' ? 1 : -1;
  const observed = (): ObservedTrial[] =>
    record.trials.filter((t) => t.state === 'complete' && t.value !== null).map((t) => ({ params: t.params, score: sign * (t.value as number) }));

  // A trial left "running" by a killed search is run again with the same number and parameters.
  const queue: TrialRecord[] = record.trials.filter((t) => t.state === 'running');
  while (options.signal?.aborted !== true) {
    let trial = queue.shift();
    const resumed = trial !== undefined;
    if (trial === undefined) {
      if (record.trials.length >= trials) break;
      const number = record.trials.length;
      const params = sampler.sample(space, observed(), new Rng(deriveSeed(seed, number)));
      trial = { number, params, state: 'running', value: null, seconds: null };
      record.trials.push(trial);
      await save();
    }
    const started = Date.now();
    try {
      const value = await objective({ ...trial.params }, { number: trial.number, seed: deriveSeed(seed, trial.number, 0x7e57), resumed });
      if (typeof value !== 'number' || Number.isNaN(value)) {
        throw new InvalidArgumentError(`the objective returned ${String(value)} for trial ${trial.number}; it must return a number`, { field: 'objective' });
      }
      trial.state = 'complete';
      trial.value = value;
    } catch (error) {
      trial.state = 'failed';
      trial.error = String((error as Error)?.message ?? error);
      trial.seconds = (Date.now() - started) / 1000;
      await save();
      if (options.continueOnError !== true) throw error;
      await options.onTrial?.(trial, record);
      continue;
    }
    trial.seconds = (Date.now() - started) / 1000;
    await save();
    await options.onTrial?.(trial, record);
  }
  return { record, best: bestOf(record) };
}
