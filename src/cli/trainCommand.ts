/**
 * `adtkit train <config.json>`: builds training segments from audio and annotation files,
 * runs `train()` of adtkit/train with a progress bar, and writes a model bundle.
 *
 * Config schema (JSON; relative paths are relative to the config file):
 *
 * ```json
 * {
 *   "output": "models/my-crnn",
 *   "model": { "architecture": "crnn", "options": { "numLayers": 2, "hiddenSize": 72 } },
 *   "data": {
 *     "preset": "thesis", "sampleRate": 44100, "segmentFrames": 400, "mapping": "mdb-class",
 *     "train": { "audio": "data/", "annotations": "data/", "audioSuffix": ".mix.flac", "annotationSuffix": ".class.txt" },
 *     "validation": [ { "audio": "data/80sRock.mix.flac", "annotations": "data/80sRock.class.txt" } ]
 *   },
 *   "training": { "epochs": 30, "batchSize": 8, "learningRate": 0.001, "weightDecay": 0.01, "seed": 0,
 *                 "checkpointDirectory": "runs/my-crnn", "resume": true },
 *   "card": { "name": "my-crnn", "license": "CC-BY-4.0", "description": "…", "training": { "data": "…" } }
 * }
 * ```
 *
 * - `output` (required): the bundle directory written at the end (card.json, model.json, weights.bin).
 * - `model.architecture`: rnn, cnn, crnn (default), convTransformer or vit; `model.options`:
 *   the factory's options (adtkit/models), `numClasses` and `inputBins` are set from the data.
 * - `data.train` / `data.validation` (validation optional): a list of `{ audio, annotations }`
 *   pairs, or `{ audio: dir, annotations: dir, audioSuffix?, annotationSuffix? }` pairing the
 *   files of two directories by the name up to the first dot. Annotations: text, MIDI or JSON.
 * - `data.mapping`: a built-in mapping name (default "default"); `data.preset` (thesis),
 *   `data.sampleRate` (44100), `data.segmentFrames` (400), `data.targetRadius` (1, widening).
 * - `training`: `train()` options that JSON can express: epochs, batchSize, validationBatchSize,
 *   learningRate, weightDecay, beta1, beta2, epsilon, maxGradNorm, plateau, earlyStopping,
 *   seed, shuffle, checkpointDirectory, resume, restoreBestWeights, standardization
 *   ("fit" (default), "none" or { mean, std }).
 * - `card`: fields of the model card (license required; see adtkit/transcribe ModelCard).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SPECTROGRAM_PRESETS, type SpectrogramPreset } from '../dsp/logFilteredSpectrogram.js';
import { AdtError } from '../errors.js';
import { readAudioFile } from '../io/audio/readAudioFile.js';
import type { ClassMapping } from '../io/mappings.js';
import { ANNOTATION_EXTENSIONS, filesByKey, mappingByName, readAnnotations, selectBackend, threadsOption, UsageError, type CliIO } from './common.js';
import { ProgressBar } from './progress.js';

export const TRAIN_HELP = `Usage: adtkit train <config.json> [options]

Trains a model on audio files with onset annotations and writes a model bundle
(card.json, model.json, weights.bin) usable with "adtkit transcribe --model <dir>".

Options:
  -b, --backend <name>   TF.js backend: wasm (default, much faster on CPUs) or cpu
      --threads <n>      wasm threads, 1-8 (default: one per CPU, at most 8)
  -q, --quiet            no progress bar or epoch lines
  -v, --verbose          stack traces on errors
  -h, --help             this help

Config (JSON, paths relative to the config file):
  {
    "output": "models/my-crnn",                              (required) bundle directory
    "model": { "architecture": "crnn", "options": { "numLayers": 2, "hiddenSize": 72 } },
    "data": {
      "mapping": "mdb-class", "preset": "thesis", "sampleRate": 44100, "segmentFrames": 400,
      "train": { "audio": "data/", "annotations": "data/",
                 "audioSuffix": ".mix.flac", "annotationSuffix": ".class.txt" },
      "validation": [ { "audio": "a.flac", "annotations": "a.txt" } ]
    },
    "training": { "epochs": 30, "batchSize": 8, "learningRate": 0.001, "seed": 0,
                  "checkpointDirectory": "runs/my-crnn", "resume": true },
    "card": { "name": "my-crnn", "license": "CC-BY-4.0", "training": { "data": "..." } }
  }
  architecture: rnn, cnn, crnn (default), convTransformer, vit; "options" are the factory's.
  train/validation: a list of { audio, annotations } pairs, or two directories whose files
  pair by the name up to the first dot. training: the JSON-expressible options of train().
`;

type Json = Record<string, unknown>;

const TRAINING_KEYS = ['epochs', 'batchSize', 'validationBatchSize', 'learningRate', 'weightDecay', 'beta1', 'beta2', 'epsilon', 'maxGradNorm', 'plateau', 'earlyStopping', 'seed', 'shuffle', 'checkpointDirectory', 'resume', 'restoreBestWeights', 'standardization'];
const ARCHITECTURES = ['rnn', 'cnn', 'crnn', 'convTransformer', 'vit'] as const;

function configError(file: string, field: string, message: string): AdtError {
  return new AdtError('INVALID_ARGUMENT', `${file}: ${field} ${message}`, { file, field });
}

function object(value: unknown, file: string, field: string, optional = false): Json {
  if (value === undefined && optional) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw configError(file, field, `must be an object, got ${JSON.stringify(value)}`);
  return value as Json;
}

/** Audio/annotation pairs of a data split. */
async function listPairs(value: unknown, file: string, field: string, base: string): Promise<{ audio: string; annotations: string }[]> {
  if (Array.isArray(value)) {
    return value.map((entry, i) => {
      const e = object(entry, file, `${field}[${i}]`);
      if (typeof e.audio !== 'string' || typeof e.annotations !== 'string') throw configError(file, `${field}[${i}]`, 'must be { "audio": path, "annotations": path }');
      return { audio: resolve(base, e.audio), annotations: resolve(base, e.annotations) };
    });
  }
  const spec = object(value, file, field);
  if (typeof spec.audio !== 'string' || typeof spec.annotations !== 'string') {
    throw configError(file, field, 'must be a list of { audio, annotations } pairs or { "audio": dir, "annotations": dir, "audioSuffix"?, "annotationSuffix"? }');
  }
  const audio = await filesByKey(resolve(base, spec.audio), ['.wav', '.flac', '.mp3'], spec.audioSuffix as string | undefined, `${field}.audioSuffix`);
  const annotations = await filesByKey(resolve(base, spec.annotations), ANNOTATION_EXTENSIONS, spec.annotationSuffix as string | undefined, `${field}.annotationSuffix`);
  const pairs = [...audio.entries()].filter(([key]) => annotations.has(key)).map(([key, a]) => ({ audio: a, annotations: annotations.get(key) as string }));
  if (pairs.length === 0) throw configError(file, field, `pairs no audio file with an annotation file (${audio.size} audio, ${annotations.size} annotation files)`);
  return pairs;
}

interface DataSettings {
  preset: SpectrogramPreset;
  sampleRate: number;
  segmentFrames: number;
  mapping: ClassMapping;
  targetRadius: number;
}

/**
 * Training segments of a list of files, one file at a time, with adtkit/train's
 * `exampleSegments` (annotations read here, so that JSON files work too).
 */
async function buildDataset(pairs: { audio: string; annotations: string }[], settings: DataSettings, onFile: (i: number, name: string) => void) {
  const { InMemorySegmentDataset, exampleSegments } = await import('../train/index.js');
  const { segmentFrames: L, mapping } = settings;
  let dataset: InstanceType<typeof InMemorySegmentDataset> | null = null;
  let seconds = 0;
  let onsets = 0;
  for (const [i, pair] of pairs.entries()) {
    onFile(i, basename(pair.audio));
    const audio = await readAudioFile(pair.audio);
    const events = await readAnnotations(pair.annotations, mapping);
    seconds += audio.durationSeconds;
    onsets += events.length;
    const segments = await exampleSegments(
      { audio, annotations: events, name: pair.audio },
      { preset: settings.preset, sampleRate: settings.sampleRate, mapping, segmentFrames: L, widening: { radius: settings.targetRadius } },
    );
    dataset ??= new InMemorySegmentDataset({ frames: L, bins: segments[0].features.length / L, classes: mapping.classNames.length });
    for (const s of segments) dataset.add({ features: s.features, targets: s.targets });
  }
  return { dataset: dataset as InstanceType<typeof InMemorySegmentDataset>, seconds, onsets, files: pairs.length };
}

/** Runs `adtkit train`. */
export async function trainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      backend: { type: 'string', short: 'b', default: 'wasm' },
      threads: { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(TRAIN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one config file, got ${positionals.length}`, 'train');
  const file = positionals[0];
  let config: Json;
  try {
    config = object(JSON.parse(await readFile(file, 'utf8')), file, 'the config');
  } catch (cause) {
    if (cause instanceof AdtError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    throw new AdtError(code === undefined ? 'INVALID_ARGUMENT' : 'IO_ERROR', `${file}: ${code === 'ENOENT' ? 'no such file' : (cause as Error).message}`, { file, cause });
  }
  const base = dirname(resolve(file));
  const known = ['output', 'model', 'data', 'training', 'card'];
  for (const key of Object.keys(config)) if (!known.includes(key)) throw configError(file, key, `is not a config field (known: ${known.join(', ')})`);
  if (typeof config.output !== 'string' || config.output.length === 0) throw configError(file, 'output', 'must be the bundle directory to write (a path)');
  const output = resolve(base, config.output);
  const modelSpec = object(config.model, file, 'model', true);
  const architecture = (modelSpec.architecture ?? 'crnn') as (typeof ARCHITECTURES)[number];
  if (!ARCHITECTURES.includes(architecture)) throw configError(file, 'model.architecture', `must be one of ${ARCHITECTURES.join(', ')}, got ${JSON.stringify(modelSpec.architecture)}`);
  const modelOptions = object(modelSpec.options, file, 'model.options', true);
  const data = object(config.data, file, 'data');
  const preset = (data.preset ?? 'thesis') as SpectrogramPreset;
  if (!SPECTROGRAM_PRESETS.includes(preset)) throw configError(file, 'data.preset', `must be ${SPECTROGRAM_PRESETS.join(' or ')}, got ${JSON.stringify(data.preset)}`);
  const positive = (v: unknown, field: string, fallback: number): number => {
    const x = v ?? fallback;
    if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0) throw configError(file, field, `must be a positive integer, got ${JSON.stringify(v)}`);
    return x;
  };
  const settings: DataSettings = {
    preset,
    sampleRate: positive(data.sampleRate, 'data.sampleRate', 44100),
    segmentFrames: positive(data.segmentFrames, 'data.segmentFrames', 400),
    mapping: mappingByName(typeof data.mapping === 'string' ? data.mapping : 'default', `${file}: data.mapping`),
    targetRadius: data.targetRadius === undefined ? 1 : positive(data.targetRadius, 'data.targetRadius', 1),
  };
  const training = object(config.training, file, 'training', true);
  for (const key of Object.keys(training)) if (!TRAINING_KEYS.includes(key)) throw configError(file, `training.${key}`, `is not a training option (known: ${TRAINING_KEYS.join(', ')})`);
  const cardDraft = object(config.card, file, 'card', true);
  if (typeof cardDraft.license !== 'string' || cardDraft.license.length === 0) {
    throw configError(file, 'card.license', 'is required: the license of the trained weights (e.g. "CC-BY-4.0"), which must allow what the training data allows');
  }
  const trainPairs = await listPairs(data.train, file, 'data.train', base);
  const validationPairs = data.validation === undefined ? [] : await listPairs(data.validation, file, 'data.validation', base);

  await selectBackend(values.backend as string, threadsOption(values.threads));
  const models = await import('../models/index.js');
  const { train, enableWasmTraining } = await import('../train/index.js');
  // The wasm backend has no Conv2DBackpropFilter kernel; adtkit/train supplies the gradient.
  if (values.backend === 'wasm') enableWasmTraining();
  const { createBundle, saveBundle } = await import('../transcribe/index.js');
  const bar = new ProgressBar(io.stderr, !values.quiet);
  const say = (line: string): void => {
    if (values.quiet) return;
    bar.clear();
    io.stderr.write(line + '\n');
  };
  try {
    const trainSet = await buildDataset(trainPairs, settings, (i, name) => bar.update(i / trainPairs.length, 'reading training data', name));
    const validationSet = validationPairs.length > 0 ? await buildDataset(validationPairs, settings, (i, name) => bar.update(i / validationPairs.length, 'reading validation data', name)) : null;
    say(`training data: ${trainSet.files} files, ${trainSet.seconds.toFixed(1)} s, ${trainSet.onsets} onsets, ${trainSet.dataset.length} segments` +
      (validationSet ? `; validation: ${validationSet.files} files, ${validationSet.dataset.length} segments` : ''));
    const options = { ...modelOptions, numClasses: settings.mapping.classNames.length, inputBins: trainSet.dataset.bins };
    const factories: Record<string, (o: Json) => import('@tensorflow/tfjs-layers').LayersModel> = {
      rnn: (o) => models.createRNN(o as never),
      cnn: (o) => models.createCNN(o as never),
      crnn: (o) => models.createCRNN(o as never),
      convTransformer: (o) => models.createConvTransformer(o as never),
      vit: (o) => models.createViT(o as never),
    };
    const factory = () => factories[architecture](options);
    const started = Date.now();
    // A fixed standardization from the config: { mean, std } (numbers or one per bin) → dsp's statistics.
    const fixed = training.standardization;
    const standardization = fixed !== null && typeof fixed === 'object'
      ? (() => {
          const { mean, std } = fixed as { mean: number | number[]; std: number | number[] };
          const list = (v: number | number[]): number[] => (typeof v === 'number' ? [v] : v);
          return { version: 1 as const, method: 'pooled' as const, perBand: list(mean).length > 1, bins: trainSet.dataset.bins, mean: list(mean), std: list(std), count: 0 };
        })()
      : fixed;
    const result = await train(factory, { train: trainSet.dataset, validation: validationSet?.dataset }, {
      ...(training as Record<string, never>),
      ...(standardization !== undefined ? { standardization: standardization as never } : {}),
      ...(typeof training.checkpointDirectory === 'string' ? { checkpointDirectory: resolve(base, training.checkpointDirectory) } : {}),
      onProgress: (event) => {
        if (event.type === 'batch') {
          bar.update(event.batch / event.batches, `epoch ${event.epoch}`, `batch ${event.batch}/${event.batches}  loss ${event.loss.toFixed(4)}`);
        } else if (event.type === 'epoch') {
          const r = event.record;
          say(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}` +
            (r.validationLoss !== null ? `, validation loss ${r.validationLoss.toFixed(4)}, micro-F1 ${r.validationMicroF1?.toFixed(3)}${r.isBest ? ' (best)' : ''}` : '') +
            `, lr ${r.learningRate.toExponential(2)}, ${r.seconds.toFixed(1)} s`);
        } else if (event.type === 'start' && event.resumed) {
          say(`resuming at epoch ${event.startEpoch}`);
        }
      },
    });
    const std = result.standardization ?? { mean: 0, std: 1 }; // 'none': the inputs were used as they are
    const draftTraining = object(cardDraft.training, file, 'card.training', true);
    const bundle = createBundle(result.model, {
      ...(cardDraft as Record<string, never>),
      license: cardDraft.license,
      preset,
      sampleRate: settings.sampleRate,
      segmentFrames: settings.segmentFrames,
      classNames: [...settings.mapping.classNames],
      standardization: std,
      training: {
        data: `${trainSet.files} files (${trainSet.seconds.toFixed(1)} s, ${trainSet.onsets} onsets) mapped with "${settings.mapping.name}"`,
        ...draftTraining,
        epochs: result.epochsCompleted,
        bestEpoch: result.bestEpoch,
        stopReason: result.stopReason,
        seconds: (Date.now() - started) / 1000,
        options: training,
      },
      metrics: { ...object(cardDraft.metrics, file, 'card.metrics', true), ...(result.bestValidationMicroF1 !== null ? { validationMicroF1: result.bestValidationMicroF1 } : {}) },
    });
    await saveBundle(output, bundle);
    say(`wrote ${output} (${result.epochsCompleted} epochs, ${result.stopReason}${result.bestValidationMicroF1 !== null ? `, best validation micro-F1 ${result.bestValidationMicroF1.toFixed(3)} at epoch ${result.bestEpoch}` : ''})`);
    result.model.dispose();
  } finally {
    bar.clear();
  }
  return 0;
}
