/**
 * A custom transcription pipeline, stage by stage, on one MDB Drums dev track:
 *
 *   FLAC → mono → log-filtered spectrogram (thesis preset) → standardize → 400-frame
 *   segments → CRNN → sigmoid → peakPick per class → events → onsetF1 vs the annotations
 *
 * `transcribe()` in adtkit/transcribe does all of this in one call (with overlapping windows
 * and batching); this example spells the stages out so that each can be replaced.
 *
 * Run:
 *   npx tsx examples/custom-pipeline.ts                       # random weights (F1 near 0)
 *   npx tsx examples/custom-pipeline.ts --bundle models/crnn  # a trained model bundle
 * Options:
 *   --track NAME     MDB track (80sRock, Beatles, Britpop, Country1, Grunge, Rockabilly, Shadows) [Beatles]
 *   --audio mix|drums  full mix or the drum-only recording [mix]
 *   --seconds N      only the first N seconds [whole track]
 *   --bundle DIR     model bundle directory (card.json + model.json + weights.bin)
 *   --backend cpu|wasm  TF.js backend [cpu]
 * The data directory is ../shared/data/mdb-drums-dev (or $ADTKIT_DEV_DATA); when it is
 * absent the example says so and exits with status 0.
 *
 * In an app, import from 'adtkit/dsp', 'adtkit/io', ... instead of '../src/.../index.js'.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  applyStandardization,
  fitStandardization,
  logFilteredSpectrogram,
  resample,
  segmentFrames,
  type SpectrogramPreset,
  type StandardizationStats,
} from '../src/dsp/index.js';
import { downmixToMono, MDB_MAPPING, parseTextAnnotations, readAudioFile } from '../src/io/index.js';
import { onsetF1, peakPick } from '../src/eval/index.js';
import { createCRNN } from '../src/models/index.js';
import { loadBundle } from '../src/transcribe/index.js';
import type { DrumEvent } from '../src/index.js';

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      track: { type: 'string', default: 'Beatles' },
      audio: { type: 'string', default: 'mix' },
      seconds: { type: 'string' },
      bundle: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
    },
  });

  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = process.env.ADTKIT_DEV_DATA ?? resolve(repoRoot, '..', 'shared', 'data', 'mdb-drums-dev');
  if (!existsSync(dataDir)) {
    console.log(`MDB Drums dev data not found at ${dataDir} (set ADTKIT_DEV_DATA): nothing to do.`);
    return;
  }
  const audioPath = join(dataDir, `${args.track}.${args.audio}.flac`);
  const annotationPath = join(dataDir, `${args.track}.subclass.txt`);
  if (!existsSync(audioPath) || !existsSync(annotationPath)) {
    throw new Error(`no track "${args.track}" (--audio ${args.audio}) in ${dataDir}`);
  }

  // --- TF.js backend: the application chooses it; adtkit uses whatever is active. ---
  if (args.backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  }
  tf.enableProdMode(); // no debug checks (nor the "install tfjs-node" banner)
  if (!(await tf.setBackend(args.backend))) throw new Error(`TF.js backend "${args.backend}" is not available`);
  await tf.ready();

  // --- The model and what inference needs to know about it. ---
  let model: LayersModel;
  let preset: SpectrogramPreset = 'thesis';
  let modelSampleRate = 44100;
  let classNames: readonly string[] = MDB_MAPPING.classNames; // KD, SD, TT, HH, CY
  let thresholds: number[];
  let segmentLength = 400;
  let stats: StandardizationStats | undefined;
  if (args.bundle !== undefined) {
    const bundle = await loadBundle(args.bundle);
    const card = bundle.card;
    model = bundle.model;
    preset = card.preset;
    modelSampleRate = card.sampleRate;
    classNames = card.classNames;
    segmentLength = card.segmentFrames;
    thresholds = card.peakPicking.classThresholds ?? classNames.map(() => card.peakPicking.threshold);
    // The card stores a scalar pair or one value per bin; applyStandardization takes both.
    const perBand = Array.isArray(card.standardization.mean);
    const asList = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);
    stats = {
      version: 1,
      method: 'pooled',
      perBand,
      bins: card.inputBins,
      mean: asList(card.standardization.mean),
      std: asList(card.standardization.std),
      count: 0,
    };
    console.log(`model: bundle ${args.bundle} (${card.architecture}, ${card.name ?? 'unnamed'}, trained on ${card.training?.data ?? 'unknown data'})`);
  } else {
    // A small CRNN with random weights: the pipeline runs end to end, but the activations are
    // noise, so expect an F1 near 0. Train one (see examples/train-*.ts) and pass --bundle.
    model = createCRNN({ numLayers: 2, hiddenSize: 72 });
    thresholds = classNames.map(() => 0.5);
    console.log('model: randomly initialised CRNN(2 layers, 72 units): NOTE: untrained, F1 will be poor; pass --bundle DIR for real results');
  }

  // --- Audio → mono at the model's sample rate. ---
  const audio = await readAudioFile(audioPath);
  let signal = downmixToMono(audio); // mean of the channels
  if (audio.sampleRate !== modelSampleRate) signal = resample(signal, audio.sampleRate, modelSampleRate);
  const seconds = args.seconds === undefined ? Infinity : Number(args.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${args.seconds}`);
  if (signal.length > seconds * modelSampleRate) signal = signal.subarray(0, Math.round(seconds * modelSampleRate));
  const durationSeconds = signal.length / modelSampleRate;
  console.log(`audio: ${audioPath} (${durationSeconds.toFixed(2)} s at ${modelSampleRate} Hz)`);

  // --- Spectrogram: log10(1 + |STFT| · filterbank), 100 frames per second, 84 bands at 44.1 kHz.
  // As in the thesis, the audio is zero-padded so that the frame count is a multiple of the
  // segment length; only the frames of the real audio are scored. ---
  const spectrogram = logFilteredSpectrogram(signal, modelSampleRate, { preset, padToSegments: true, segmentFrames: segmentLength });
  const audioFrames = 1 + Math.floor(signal.length / spectrogram.hopLength); // centred frames: 1 + floor(N / hop)
  console.log(`spectrogram: ${spectrogram.frames} frames x ${spectrogram.bins} bins at ${spectrogram.frameRate} fps (${preset} preset, ${audioFrames} of audio)`);

  // --- Standardize with the training set's statistics (a random model has none: the track's own). ---
  stats ??= fitStandardization([{ data: spectrogram.data.subarray(0, audioFrames * spectrogram.bins), frames: audioFrames, bins: spectrogram.bins }]);
  const standardized = applyStandardization(spectrogram, stats);

  // --- Segments of 400 frames (4 s): [segments, 400, bins]. ---
  const segments = segmentFrames(standardized, { segmentLength });
  console.log(`segments: ${segments.numSegments} x ${segments.segmentLength} frames`);

  // --- Model: logits [segments, 400, classes] → sigmoid → activations, valid frames only. ---
  const classes = classNames.length;
  const activations = new Float32Array(spectrogram.frames * classes);
  const batchSize = 4;
  for (let first = 0; first < segments.numSegments; first += batchSize) {
    const count = Math.min(batchSize, segments.numSegments - first);
    const size = segments.segmentLength * segments.bins;
    const probabilities = tf.tidy(() => {
      const x = tf.tensor4d(segments.data.subarray(first * size, (first + count) * size), [count, segments.segmentLength, segments.bins, 1]);
      return tf.sigmoid(model.predict(x) as tf.Tensor3D);
    });
    try {
      const values = (await probabilities.data()) as Float32Array;
      for (let k = 0; k < count; k++) {
        const s = first + k;
        const valid = segments.validFramesPerSegment[s];
        const from = k * segments.segmentLength * classes;
        activations.set(values.subarray(from, from + valid * classes), s * segments.segmentLength * classes);
      }
    } finally {
      probabilities.dispose();
    }
  }
  model.dispose();

  // --- Peak picking per class (each with its own threshold) → events in seconds. ---
  const frameRate = spectrogram.frameRate;
  const matrix = { data: activations.subarray(0, audioFrames * classes), frames: audioFrames, classes };
  const estimated: DrumEvent[] = [];
  for (let c = 0; c < classes; c++) {
    const curve = new Float32Array(matrix.frames);
    for (let n = 0; n < matrix.frames; n++) curve[n] = matrix.data[n * classes + c];
    const peaks = peakPick(curve, { threshold: thresholds[c] });
    peaks.peakFrames[0].forEach((frame, i) => {
      estimated.push({ timeSeconds: frame / frameRate, classIndex: c, className: classNames[c], velocity: peaks.peakHeights[0][i] });
    });
  }
  estimated.sort((a, b) => a.timeSeconds - b.timeSeconds || a.classIndex - b.classIndex);
  console.log(`estimated onsets: ${estimated.length}`);

  // --- Reference onsets: MDB subclass labels through the thesis MDB mapping (SST → SD, TMB → HH). ---
  const { events: annotated } = parseTextAnnotations(readFileSync(annotationPath, 'utf8'), { mapping: MDB_MAPPING, file: annotationPath });
  const reference = annotated.filter((e) => e.timeSeconds < durationSeconds);
  console.log(`reference onsets: ${reference.length}`);

  // --- Scores: mir_eval's bipartite matching within 50 ms. ---
  const scores = onsetF1(estimated, reference, { classNames });
  for (const c of scores.perClass) {
    console.log(
      `${c.className}: F1 ${c.f1.toFixed(3)} (P ${c.precision.toFixed(3)}, R ${c.recall.toFixed(3)}; ` +
        `TP ${c.truePositives}, FP ${c.falsePositives}, FN ${c.falseNegatives})`,
    );
  }
  console.log(`micro F1 ${scores.micro.f1.toFixed(3)}, macro F1 ${scores.macro.f1.toFixed(3)}`);
}

// One clear line on failure (and no unhandled rejection for the wasm runtime to intercept).
main().catch((error: unknown) => {
  console.error(`custom-pipeline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
