/**
 * Options shared by {@link transcribe} and the streaming `Transcriber`, and their resolution
 * against the model card (internal besides the exported types).
 */
import { InvalidArgumentError } from '../errors.js';
import type { PeakPickCompat } from '../eval/index.js';
import type { ModelBundle } from './bundle.js';
import { checkModelAgainstCard } from './bundle.js';
import { validateModelCard, type ModelCard } from './card.js';

/** Peak-picking parameters that may override the card's (see `peakPick` in adtkit/eval). */
export interface TranscribePeakPickingOptions {
  /** m: a peak is the maximum of frames n-m..n+m [frames]. @defaultValue card value, else 2 */
  maxRadiusFrames?: number;
  /** a: the mean is taken over frames n-a..n+a [frames]. @defaultValue card value, else 2 */
  meanRadiusFrames?: number;
  /** w: minimum distance between two onsets of a class [frames]. @defaultValue card value, else 2 */
  minDistanceFrames?: number;
  /** δ: a peak must exceed the local mean by δ. @defaultValue card value, else 0.1 */
  delta?: number;
  /** Windows end at the current frame (Böck's online mode). @defaultValue false */
  causal?: boolean;
  /**
   * `'thesis'` picks peaks exactly as the thesis reference (`compute_peaks`, see `peakPick`)
   * to reproduce its scores; offline only (`transcribe`, not the streaming `Transcriber`, and
   * not with `causal`). @defaultValue 'adtkit'
   */
  compat?: PeakPickCompat;
}

/**
 * Onset thresholds: one number for every class, one number per class (class-index order), or
 * class name → number for some classes (the others keep the card's).
 */
export type ThresholdsOption = number | readonly number[] | Readonly<Record<string, number>>;

/** Options shared by `transcribe` and `Transcriber`. */
export interface TranscriptionOptions {
  /** The model and its card (from `loadBundle` or `createBundle`). Required. */
  model: ModelBundle;
  /** Onset thresholds, see {@link ThresholdsOption}. @defaultValue the card's (`peakPicking.classThresholds`, else `peakPicking.threshold`) */
  thresholds?: ThresholdsOption;
  /** Peak-picking parameters. @defaultValue the card's */
  peakPicking?: TranscribePeakPickingOptions;
  /**
   * Model windows per batch. Larger batches run the recurrent layers' time steps for more
   * windows at once (`transcribe` of 3 min with the built-in model on wasm: 16 windows per
   * batch are ~1.2× faster than 4); the streaming `Transcriber` waits for a batch to fill, so
   * its latency grows with it. The `Transcriber` gives exactly the events of `transcribe`
   * when both use the same batch size.
   * @defaultValue 16 for `transcribe`, 4 for `Transcriber`
   */
  batchSize?: number;
  /** Frames per model window. @defaultValue `card.segmentFrames` (400) */
  segmentFrames?: number;
  /**
   * Frames of context kept on each side of a window's centre part: consecutive windows
   * overlap by `2 * contextFrames` frames and each frame's activation is taken from the window
   * where it has at least this much context on both sides (except at the ends of the audio),
   * so that onsets at window edges are neither lost nor distorted. Must be less than
   * `segmentFrames / 2`.
   * @defaultValue 50 (0.5 s at 100 fps), at most `floor(segmentFrames / 8)`
   */
  contextFrames?: number;
  /**
   * Names given to the model's output classes in the events and activations, in class-index
   * order: maps the model's vocabulary onto yours (e.g. `['kick', 'snare', 'tom', 'hihat',
   * 'cymbal']`, or the `classNames` of a `ClassMapping` from adtkit/io). Threshold names
   * (`thresholds: { … }`) keep using the card's names.
   * @defaultValue the card's `classNames`
   */
  classNames?: readonly string[];
}

/** Options after resolution (internal). */
export interface ResolvedTranscription {
  bundle: ModelBundle;
  card: ModelCard;
  classNames: readonly string[];
  classes: number;
  bins: number;
  /** One threshold per class. */
  thresholds: number[];
  peak: Required<TranscribePeakPickingOptions>;
  batchSize: number;
  segmentFrames: number;
  contextFrames: number;
  /** Frames between window starts, `segmentFrames - 2 * contextFrames`. */
  hopFrames: number;
  /** Standardization per bin: mean and 1 / std, length `bins`. */
  mean: Float64Array;
  std: Float64Array;
}

const OPTION_KEYS = ['model', 'thresholds', 'peakPicking', 'batchSize', 'segmentFrames', 'contextFrames', 'classNames'];
const PEAK_KEYS = ['maxRadiusFrames', 'meanRadiusFrames', 'minDistanceFrames', 'delta', 'causal', 'compat'];

function fail(where: string, field: string, message: string): never {
  throw new InvalidArgumentError(`${where}: options.${field} ${message}`, { field: `options.${field}` });
}

function checkThreshold(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    fail(where, field, `must be a number in [0, 1) (an activation level), got ${String(value)}`);
  }
  return value;
}

function positiveInteger(where: string, field: string, value: unknown, fallback: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(where, field, `must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * Validates the options against the bundle's card and fills the defaults.
 * @internal
 */
function resolveClassNames(names: readonly string[] | undefined, card: ModelCard, where: string): readonly string[] {
  if (names === undefined) return card.classNames;
  if (!Array.isArray(names) || names.length !== card.classNames.length) {
    fail(where, 'classNames', `must be an array of ${card.classNames.length} names, one per model class (${card.classNames.join(', ')}), got ${Array.isArray(names) ? `${names.length} names` : typeof names}`);
  }
  names.forEach((name, i) => {
    if (typeof name !== 'string' || name.length === 0) fail(where, `classNames[${i}]`, `must be a non-empty string, got ${JSON.stringify(name)}`);
  });
  if (new Set(names).size !== names.length) fail(where, 'classNames', `must not repeat a name, got ${names.join(', ')}`);
  return Object.freeze([...names]);
}

export function resolveTranscriptionOptions(
  options: TranscriptionOptions,
  where: string,
  extraKeys: readonly string[] = [],
  defaultBatchSize = 4,
): ResolvedTranscription {
  const known = [...OPTION_KEYS, ...extraKeys];
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`${where}: options must be an object with at least { model } (a bundle from loadBundle), got ${options === null ? 'null' : typeof options}`, { field: 'options' });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const hint = key === 'threshold' ? ' (did you mean "thresholds"?)' : key === 'bundle' ? ' (pass the bundle as "model")' : '';
      fail(where, key, `is not an option${hint}; known options: ${known.join(', ')}`);
    }
  }
  const bundle = options.model;
  if (bundle === undefined || bundle === null || typeof bundle !== 'object' || !('card' in bundle) || !('model' in bundle)) {
    fail(where, 'model', `must be a model bundle { model, card } from loadBundle or createBundle, got ${bundle === null ? 'null' : typeof bundle}`);
  }
  const card = validateModelCard(bundle.card, `${where}: options.model.card`);
  checkModelAgainstCard(bundle.model, card, where);
  const classes = card.classNames.length;
  const bins = card.inputBins;

  const base = card.peakPicking.classThresholds ?? new Array<number>(classes).fill(card.peakPicking.threshold);
  let thresholds = [...base];
  const t = options.thresholds;
  if (typeof t === 'number') {
    thresholds = new Array<number>(classes).fill(checkThreshold(where, 'thresholds', t));
  } else if (Array.isArray(t)) {
    if (t.length !== classes) fail(where, 'thresholds', `has ${t.length} values but the model has ${classes} classes (${card.classNames.join(', ')})`);
    thresholds = t.map((v, i) => checkThreshold(where, `thresholds[${i}]`, v));
  } else if (t !== undefined) {
    if (t === null || typeof t !== 'object') fail(where, 'thresholds', `must be a number, an array or { className: number }, got ${String(t)}`);
    for (const [name, v] of Object.entries(t)) {
      const index = card.classNames.indexOf(name);
      if (index < 0) fail(where, `thresholds.${name}`, `names no class of the model (classes: ${card.classNames.join(', ')})`);
      thresholds[index] = checkThreshold(where, `thresholds.${name}`, v);
    }
  }

  const p = options.peakPicking ?? {};
  if (p === null || typeof p !== 'object') fail(where, 'peakPicking', `must be an object, got ${String(p)}`);
  for (const key of Object.keys(p)) {
    if (!PEAK_KEYS.includes(key)) fail(where, `peakPicking.${key}`, `is not a peak-picking option (known: ${PEAK_KEYS.join(', ')}; thresholds go in options.thresholds)`);
  }
  const integer = (key: 'maxRadiusFrames' | 'meanRadiusFrames' | 'minDistanceFrames'): number => {
    const v = p[key] ?? card.peakPicking[key] ?? 2;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(where, `peakPicking.${key}`, `must be an integer >= 0 [frames], got ${String(v)}`);
    return v;
  };
  const delta = p.delta ?? card.peakPicking.delta ?? 0.1;
  if (typeof delta !== 'number' || !Number.isFinite(delta)) fail(where, 'peakPicking.delta', `must be a finite number, got ${String(delta)}`);
  const causal = p.causal ?? false;
  if (typeof causal !== 'boolean') fail(where, 'peakPicking.causal', `must be true or false, got ${String(causal)}`);
  const compat = p.compat ?? 'adtkit';
  if (compat !== 'adtkit' && compat !== 'thesis') fail(where, 'peakPicking.compat', `must be 'adtkit' or 'thesis', got ${JSON.stringify(compat)}`);
  if (compat === 'thesis' && causal) fail(where, 'peakPicking.compat', "'thesis' cannot be combined with causal: true (the reference is offline)");
  const peak = { maxRadiusFrames: integer('maxRadiusFrames'), meanRadiusFrames: integer('meanRadiusFrames'), minDistanceFrames: integer('minDistanceFrames'), delta, causal, compat };

  const batchSize = positiveInteger(where, 'batchSize', options.batchSize, defaultBatchSize);
  const segmentFrames = positiveInteger(where, 'segmentFrames', options.segmentFrames, card.segmentFrames);
  const fixedFrames = bundle.model.inputs[0].shape[1];
  if (typeof fixedFrames === 'number' && fixedFrames !== segmentFrames) {
    fail(where, 'segmentFrames', `is ${segmentFrames} but the model only takes windows of ${fixedFrames} frames`);
  }
  const contextFrames = options.contextFrames ?? Math.min(50, Math.floor(segmentFrames / 8));
  if (typeof contextFrames !== 'number' || !Number.isInteger(contextFrames) || contextFrames < 0 || 2 * contextFrames >= segmentFrames) {
    fail(where, 'contextFrames', `must be an integer in [0, ${Math.ceil(segmentFrames / 2) - 1}] (less than half of segmentFrames = ${segmentFrames}), got ${String(contextFrames)}`);
  }

  const mean = new Float64Array(bins);
  const std = new Float64Array(bins);
  const { mean: m, std: s } = card.standardization;
  for (let b = 0; b < bins; b++) {
    mean[b] = typeof m === 'number' ? m : m[b];
    std[b] = typeof s === 'number' ? s : s[b];
  }
  return {
    bundle,
    card,
    classNames: resolveClassNames(options.classNames, card, where),
    classes,
    bins,
    thresholds,
    peak,
    batchSize,
    segmentFrames,
    contextFrames,
    hopFrames: segmentFrames - 2 * contextFrames,
    mean,
    std,
  };
}
