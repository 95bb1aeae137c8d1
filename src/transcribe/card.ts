/**
 * The model card: the JSON file (`card.json`) that travels with a TF.js model in a model
 * bundle and says everything inference needs besides the weights (spectrogram preset, sample
 * rate, class names, standardization statistics, peak-picking thresholds), plus what a user
 * needs to judge the weights (training data, metrics, license).
 *
 * Schema, format version 1 (every field is checked by {@link validateModelCard}):
 *
 * ```json
 * {
 *   "format": "adtkit-model-card", "formatVersion": 1,
 *   "name": "crnn-demo", "description": "…",
 *   "architecture": "crnn", "architectureOptions": { "numLayers": 3, "hiddenSize": 288 },
 *   "preset": "thesis", "sampleRate": 44100, "frameRate": 100, "inputBins": 84, "segmentFrames": 400,
 *   "classNames": ["KD", "SD", "TT", "HH", "CY"],
 *   "standardization": { "mean": 0.31, "std": 0.42 },
 *   "peakPicking": { "threshold": 0.5, "classThresholds": [0.5, 0.5, 0.4, 0.5, 0.5],
 *                    "maxRadiusFrames": 2, "meanRadiusFrames": 2, "minDistanceFrames": 2, "delta": 0.1 },
 *   "training": { "data": "E-GMD train split (CC BY 4.0)", "epochs": 40 },
 *   "metrics": { "validationMicroF1": 0.87 },
 *   "license": "CC-BY-4.0",
 *   "adtkitVersion": "0.1.0"
 * }
 * ```
 */
import { ModelConfigError } from '../errors.js';
import { madmomHopLength, thesisHopLength } from '../dsp/constants.js';
import { madmomLogFilterbank, thesisLogFilterbank } from '../dsp/logFilterbank.js';
import { SPECTROGRAM_PRESETS, type SpectrogramPreset } from '../dsp/logFilteredSpectrogram.js';
import { DEFAULT_CLASS_NAMES } from '../types.js';
import { ADTKIT_VERSION } from './version.js';

/** Value of `card.format`. */
export const MODEL_CARD_FORMAT = 'adtkit-model-card';
/** Card format version written by this adtkit (readers reject newer versions). */
export const MODEL_CARD_VERSION = 1;
/** Architectures a card may name (`'custom'` for models not built by adtkit/models). */
export const CARD_ARCHITECTURES = ['rnn', 'cnn', 'crnn', 'convTransformer', 'vit', 'custom'] as const;
/** An architecture named by a card. */
export type CardArchitecture = (typeof CARD_ARCHITECTURES)[number];

/** Input standardization `x ← (x − mean) / std`: one scalar pair, or one value per input bin. */
export interface CardStandardization {
  /** Mean: a number, or `inputBins` numbers. */
  mean: number | number[];
  /** Standard deviation (> 0): a number, or `inputBins` numbers. */
  std: number | number[];
}

/** Peak-picking parameters stored in a card (see `peakPick` in adtkit/eval). */
export interface CardPeakPicking {
  /** Onsets need an activation strictly above this, for every class without its own value. */
  threshold: number;
  /** One threshold per class (overrides `threshold`), in class-index order. */
  classThresholds?: number[];
  /** m [frames]. @defaultValue 2 */
  maxRadiusFrames?: number;
  /** a [frames]. @defaultValue 2 */
  meanRadiusFrames?: number;
  /** w [frames]. @defaultValue 2 */
  minDistanceFrames?: number;
  /** δ. @defaultValue 0.1 */
  delta?: number;
}

/** Description of the training run (free-form besides `data`). */
export interface CardTraining {
  /** What the weights were trained on (data sets, splits, their licenses). */
  data?: string;
  [key: string]: unknown;
}

/** A validated model card (format version 1). */
export interface ModelCard {
  /** Always `'adtkit-model-card'`. */
  format: typeof MODEL_CARD_FORMAT;
  /** Always 1 (this adtkit's {@link MODEL_CARD_VERSION}). */
  formatVersion: 1;
  /** Short name of the model. */
  name?: string;
  /** Longer description. */
  description?: string;
  /** Architecture that built the model. */
  architecture: CardArchitecture;
  /** Factory options of the architecture (to rebuild it), when known. */
  architectureOptions?: Record<string, unknown>;
  /** Spectrogram preset the model was trained on. */
  preset: SpectrogramPreset;
  /** Sample rate the model's input is computed at [Hz]; other rates are resampled to it. */
  sampleRate: number;
  /** Frames per second of the model's input and output [Hz] (`sampleRate / hop`). */
  frameRate: number;
  /** Frequency bins of the input (the preset's filter count at `sampleRate`). */
  inputBins: number;
  /** Frames per model window at inference (the training segment length). */
  segmentFrames: number;
  /** Output classes in index order. */
  classNames: string[];
  /** Standardization statistics fitted on the training set. */
  standardization: CardStandardization;
  /** Peak-picking thresholds and parameters. */
  peakPicking: CardPeakPicking;
  /** Training data and procedure. */
  training?: CardTraining;
  /** Evaluation figures (free-form, e.g. `{ "validationMicroF1": 0.87 }`). */
  metrics?: Record<string, unknown>;
  /** License of the weights (an SPDX identifier such as `CC-BY-4.0`, or a short text). */
  license: string;
  /** adtkit version that wrote the card. */
  adtkitVersion: string;
}

/**
 * What `createBundle` needs to write a card: `license` and `standardization` are required,
 * everything else has a default (`architecture`, `architectureOptions` and `inputBins` come
 * from the model when adtkit built it; `frameRate` from the preset). `standardization` also
 * accepts typed arrays and dsp's `StandardizationStats` (what `train()` returns; a single
 * mean/std pair is stored as two numbers).
 */
export interface ModelCardDraft extends Partial<Omit<ModelCard, 'standardization' | 'peakPicking' | 'format' | 'formatVersion'>> {
  /** Standardization statistics (`train()`'s `result.standardization` fits). */
  standardization: { mean: number | ArrayLike<number>; std: number | ArrayLike<number> };
  /** License of the weights. */
  license: string;
  /** Peak picking. @defaultValue `{ threshold: 0.5 }` */
  peakPicking?: Partial<CardPeakPicking>;
}

/**
 * Frame rate of a preset at a sample rate: `sampleRate / hop` [Hz] (100 at 44.1 kHz; the thesis
 * preset's integer hop gives 100.227 at 22.05 kHz).
 * @param preset - spectrogram preset
 * @param sampleRate - [Hz]
 * @returns frames per second [Hz]
 */
export function presetFrameRate(preset: SpectrogramPreset, sampleRate: number): number {
  return sampleRate / (preset === 'thesis' ? thesisHopLength(sampleRate) : madmomHopLength(sampleRate));
}

/**
 * Number of filters of a preset's filterbank at a sample rate (84 at 44.1 kHz, 83 at 48 kHz).
 * @param preset - spectrogram preset
 * @param sampleRate - [Hz]
 * @returns the model's input bins
 */
export function presetInputBins(preset: SpectrogramPreset, sampleRate: number): number {
  return (preset === 'thesis' ? thesisLogFilterbank(sampleRate) : madmomLogFilterbank(sampleRate)).numFilters;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks cards; every error names the source and the field. */
class CardChecker {
  constructor(private readonly source: string) {}

  fail(field: string, message: string): never {
    throw new ModelConfigError(`${this.source}: card.${field} ${message}`, { field: `card.${field}`, file: this.source });
  }

  string(card: Record<string, unknown>, field: string, optional = false): string | undefined {
    const v = card[field];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.length === 0) this.fail(field, `must be a non-empty string, got ${show(v)}`);
    return v;
  }

  positiveInteger(card: Record<string, unknown>, field: string): number {
    const v = card[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(field, `must be a positive integer, got ${show(v)}`);
    return v;
  }

  numberOrList(value: unknown, field: string, length: number, positive: boolean): number | number[] {
    const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0);
    const what = positive ? 'positive finite numbers' : 'finite numbers';
    if (typeof value === 'number') {
      if (!ok(value)) this.fail(field, `must be a ${positive ? 'positive ' : ''}finite number, got ${show(value)}`);
      return value;
    }
    if (!Array.isArray(value) || value.length !== length || !value.every(ok)) {
      this.fail(field, `must be a number or ${length} ${what} (one per input bin), got ${show(value)}${Array.isArray(value) && !value.every(ok) ? ' with invalid entries' : ''}`);
    }
    return [...value];
  }

  threshold(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
      this.fail(field, `must be a number in [0, 1) (an activation level), got ${show(value)}`);
    }
    return value;
  }
}

/**
 * Validates a parsed `card.json` and returns it as a {@link ModelCard} (a copy; unknown
 * top-level fields are dropped).
 *
 * @param value - the parsed JSON
 * @param source - where the card came from, for error messages (file path or URL) @defaultValue `'card.json'`
 * @returns the validated card
 * @throws {@link ModelConfigError} naming the source and the field (`card.sampleRate`, ...), the
 *   value found and what was expected; for a newer format version, says so.
 * @example
 * ```ts
 * const card = validateModelCard(JSON.parse(text), 'models/default/card.json');
 * ```
 */
export function validateModelCard(value: unknown, source = 'card.json'): ModelCard {
  const c: CardChecker = new CardChecker(source);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelConfigError(`${source}: a model card must be a JSON object, got ${show(value)}`, { field: 'card', file: source });
  }
  const card = value as Record<string, unknown>;
  if (card.format !== MODEL_CARD_FORMAT) c.fail('format', `must be "${MODEL_CARD_FORMAT}", got ${show(card.format)} (is this an adtkit model bundle?)`);
  if (card.formatVersion !== MODEL_CARD_VERSION) {
    const newer = typeof card.formatVersion === 'number' && card.formatVersion > MODEL_CARD_VERSION;
    c.fail('formatVersion', `is ${show(card.formatVersion)}; this adtkit (${ADTKIT_VERSION}) reads version ${MODEL_CARD_VERSION}${newer ? ' (the bundle was written by a newer adtkit: upgrade)' : ''}`);
  }
  const architecture = card.architecture as CardArchitecture;
  if (!CARD_ARCHITECTURES.includes(architecture)) c.fail('architecture', `must be one of ${CARD_ARCHITECTURES.map((a) => `"${a}"`).join(', ')}, got ${show(architecture)}`);
  let architectureOptions: Record<string, unknown> | undefined;
  if (card.architectureOptions !== undefined) {
    if (typeof card.architectureOptions !== 'object' || card.architectureOptions === null || Array.isArray(card.architectureOptions)) {
      c.fail('architectureOptions', `must be an object, got ${show(card.architectureOptions)}`);
    }
    architectureOptions = { ...(card.architectureOptions as Record<string, unknown>) };
  }
  const preset = card.preset as SpectrogramPreset;
  if (!SPECTROGRAM_PRESETS.includes(preset)) c.fail('preset', `must be one of ${SPECTROGRAM_PRESETS.map((p) => `"${p}"`).join(', ')}, got ${show(preset)}`);
  const sampleRate = c.positiveInteger(card, 'sampleRate');
  const expectedFrameRate = presetFrameRate(preset, sampleRate);
  const frameRate = card.frameRate;
  if (typeof frameRate !== 'number' || !(Math.abs(frameRate - expectedFrameRate) <= 1e-9 * expectedFrameRate)) {
    c.fail('frameRate', `is ${show(frameRate)} but the "${preset}" preset at ${sampleRate} Hz gives ${expectedFrameRate} frames per second`);
  }
  const inputBins = c.positiveInteger(card, 'inputBins');
  const presetBins = presetInputBins(preset, sampleRate);
  if (inputBins !== presetBins) c.fail('inputBins', `is ${inputBins} but the "${preset}" preset at ${sampleRate} Hz has ${presetBins} filters`);
  const segmentFrames = c.positiveInteger(card, 'segmentFrames');
  const names = card.classNames;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    c.fail('classNames', `must be a non-empty array of non-empty strings, got ${show(names)}`);
  }
  const classNames = [...(names as string[])];
  const duplicate = classNames.find((n, i) => classNames.indexOf(n) !== i);
  if (duplicate !== undefined) c.fail('classNames', `names "${duplicate}" twice; class names must be unique`);

  const s = card.standardization as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) c.fail('standardization', `must be an object { mean, std }, got ${show(s)}`);
  const standardization: CardStandardization = {
    mean: c.numberOrList(s.mean, 'standardization.mean', inputBins, false),
    std: c.numberOrList(s.std, 'standardization.std', inputBins, true),
  };

  const p = card.peakPicking as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) c.fail('peakPicking', `must be an object with at least "threshold", got ${show(p)}`);
  const peakPicking: CardPeakPicking = { threshold: c.threshold(p.threshold, 'peakPicking.threshold') };
  if (p.classThresholds !== undefined) {
    if (!Array.isArray(p.classThresholds) || p.classThresholds.length !== classNames.length) {
      c.fail('peakPicking.classThresholds', `must be ${classNames.length} numbers (one per class: ${classNames.join(', ')}), got ${show(p.classThresholds)}`);
    }
    peakPicking.classThresholds = p.classThresholds.map((t, i) => c.threshold(t, `peakPicking.classThresholds[${i}]`));
  }
  for (const key of ['maxRadiusFrames', 'meanRadiusFrames', 'minDistanceFrames'] as const) {
    const v = p[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) c.fail(`peakPicking.${key}`, `must be an integer >= 0 [frames], got ${show(v)}`);
    peakPicking[key] = v;
  }
  if (p.delta !== undefined) {
    if (typeof p.delta !== 'number' || !Number.isFinite(p.delta)) c.fail('peakPicking.delta', `must be a finite number, got ${show(p.delta)}`);
    peakPicking.delta = p.delta;
  }

  let training: CardTraining | undefined;
  if (card.training !== undefined) {
    if (typeof card.training !== 'object' || card.training === null || Array.isArray(card.training)) c.fail('training', `must be an object, got ${show(card.training)}`);
    training = { ...(card.training as CardTraining) };
    if (training.data !== undefined && typeof training.data !== 'string') c.fail('training.data', `must be a string describing the training data, got ${show(training.data)}`);
  }
  let metrics: Record<string, unknown> | undefined;
  if (card.metrics !== undefined) {
    if (typeof card.metrics !== 'object' || card.metrics === null || Array.isArray(card.metrics)) c.fail('metrics', `must be an object, got ${show(card.metrics)}`);
    metrics = { ...(card.metrics as Record<string, unknown>) };
  }
  const license = c.string(card, 'license') as string;
  const adtkitVersion = c.string(card, 'adtkitVersion') as string;
  const name = c.string(card, 'name', true);
  const description = c.string(card, 'description', true);

  // Canonical field order, so that written cards read top-down.
  const out: ModelCard = {
    format: MODEL_CARD_FORMAT,
    formatVersion: MODEL_CARD_VERSION,
    ...(name !== undefined ? { name } : {}),
    ...(description !== undefined ? { description } : {}),
    architecture,
    ...(architectureOptions !== undefined ? { architectureOptions } : {}),
    preset,
    sampleRate,
    frameRate: expectedFrameRate,
    inputBins,
    segmentFrames,
    classNames,
    standardization,
    peakPicking,
    ...(training !== undefined ? { training } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    license,
    adtkitVersion,
  };
  return out;
}

/** A number, or a plain array; a single value (dsp's non-per-band `StandardizationStats`) becomes a number. */
function toPlain(value: number | ArrayLike<number>): number | number[] {
  if (typeof value === 'number') return value;
  if (value === null || typeof value !== 'object' || typeof value.length !== 'number') return value as never;
  return value.length === 1 ? value[0] : Array.from(value);
}

/**
 * Fills a draft's defaults (model-derived fields are passed in `fromModel`) and validates it.
 * @internal
 */
export function completeCard(
  draft: ModelCardDraft,
  fromModel: { architecture?: CardArchitecture; architectureOptions?: Record<string, unknown>; inputBins?: number; numClasses?: number },
  source: string,
): ModelCard {
  if (typeof draft !== 'object' || draft === null) {
    throw new ModelConfigError(`${source}: the card must be an object with at least "license" and "standardization", got ${show(draft)}`, { field: 'card' });
  }
  const preset = draft.preset ?? 'thesis';
  const sampleRate = draft.sampleRate ?? 44100;
  const validPreset = SPECTROGRAM_PRESETS.includes(preset) && Number.isInteger(sampleRate) && sampleRate > 0;
  const s = draft.standardization as ModelCardDraft['standardization'] | undefined;
  const numClasses = fromModel.numClasses;
  const defaultNames = numClasses === undefined || numClasses === DEFAULT_CLASS_NAMES.length
    ? [...DEFAULT_CLASS_NAMES]
    : Array.from({ length: numClasses }, (_, i) => `class${i}`);
  const card = {
    ...draft,
    format: MODEL_CARD_FORMAT,
    formatVersion: MODEL_CARD_VERSION,
    architecture: draft.architecture ?? fromModel.architecture ?? 'custom',
    preset,
    sampleRate,
    frameRate: draft.frameRate ?? (validPreset ? presetFrameRate(preset, sampleRate) : undefined),
    inputBins: draft.inputBins ?? fromModel.inputBins ?? (validPreset ? presetInputBins(preset, sampleRate) : undefined),
    segmentFrames: draft.segmentFrames ?? 400,
    classNames: draft.classNames !== undefined ? [...draft.classNames] : defaultNames,
    standardization: s === undefined || s === null || typeof s !== 'object' ? s : { mean: toPlain(s.mean), std: toPlain(s.std) },
    peakPicking: { threshold: 0.5, ...(draft.peakPicking ?? {}) },
    adtkitVersion: draft.adtkitVersion ?? ADTKIT_VERSION,
  } as Record<string, unknown>;
  const architectureOptions = draft.architectureOptions ?? fromModel.architectureOptions;
  if (architectureOptions !== undefined) card.architectureOptions = architectureOptions;
  return validateModelCard(card, source);
}
