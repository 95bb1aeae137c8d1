/**
 * Packages the best checkpoint of a train.ts run as the built-in model bundle (models/default:
 * model.json + weights.bin + card.json) and tunes its peak-picking thresholds on the synthetic
 * VALIDATION split only (index % 10 === 9; full recordings through `transcribe()`, mir_eval
 * matching at 50 ms): a global threshold, then per class by coordinate ascent on the micro-F1.
 *
 *   npx tsx scripts/train-default/bundle.ts [--run /work/train-run] [--data /work/synth-data] [--out models/default]
 *
 * Metrics on MDB Drums are added to the card by evaluate-mdb.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_MAPPING } from '../../src/io/index.js';
import { loadModel, nodeFileHandler } from '../../src/models/index.js';
import { createBundle, saveBundle } from '../../src/transcribe/index.js';
import type { EpochRecord } from '../../src/train/index.js';
import { fontById, isRedistributable } from '../synth/fonts.js';
import { isValidation, listSynthDirectories } from './common.js';
import { THESIS_PEAK, THRESHOLD_GRID, countTracks, scoresOf, transcribeTrack, tuneThresholds, type Track } from './scoring.js';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string', default: '/work/train-run' },
    data: { type: 'string', default: '/work/synth-data' },
    out: { type: 'string', default: 'models/default' },
    backend: { type: 'string', default: 'wasm' },
    'max-validation': { type: 'string', default: '0' },
    /** Allow data rendered with RESEARCH_FONTS (generate.ts --research-kits): a bundle for measurements, never models/default. */
    research: { type: 'boolean', default: false },
  },
});

interface RunJson {
  config: Record<string, unknown> & { architectureOptions: Record<string, unknown>; backend: string; batchSize: number; segmentsPerEpoch: number };
  data: { examples: number; trainExamples: number; validationExamples: number; trainSegments: number; validationSegments: number };
  standardization: { mean: number; std: number };
  classWeights: number[];
  history: EpochRecord[];
  elapsedSeconds: number;
  stopReason?: string;
  bestEpoch?: number;
  bestValidationMicroF1?: number;
  meanBatchSeconds?: number;
}

/** "00000–00599, 01000–01399" from sorted example indices. */
function idRanges(indices: readonly number[]): string {
  const id = (i: number) => String(i).padStart(5, '0');
  const ranges: string[] = [];
  for (let k = 0; k < indices.length; ) {
    let end = k;
    while (end + 1 < indices.length && indices[end + 1] === indices[end] + 1) end++;
    ranges.push(end > k ? `${id(indices[k])}–${id(indices[end])}` : id(indices[k]));
    k = end + 1;
  }
  return ranges.join(', ');
}

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main(): Promise<void> {
  await tf.setBackend(args.backend!);
  await tf.ready();
  const run = JSON.parse(readFileSync(join(args.run!, 'run.json'), 'utf8')) as RunJson;
  const trainIds = new Set((JSON.parse(readFileSync(join(args.run!, 'examples.json'), 'utf8')) as string[]));
  const model = await loadModel(nodeFileHandler(join(args.run!, 'best')));
  const best = run.history.reduce<EpochRecord | null>((b, r) => (r.validationMicroF1 !== null && (b === null || (r.validationMicroF1 ?? 0) > (b.validationMicroF1 ?? 0)) ? r : b), null);

  // Training data description: the examples of the run, their total duration.
  const all = listSynthDirectories(args.data!);
  const used = all.filter((e) => trainIds.has(e.id));
  let trainSeconds = 0;
  let validationSeconds = 0;
  const versions = new Set<number>();
  const drumFonts = new Set<string>();
  for (const e of used) {
    const meta = JSON.parse(readFileSync(e.json, 'utf8')) as { durationSeconds: number; generatorVersion?: number; kit?: { font?: string } };
    versions.add(meta.generatorVersion ?? 1);
    if (meta.kit?.font) drumFonts.add(meta.kit.font);
    const d = meta.durationSeconds;
    if (isValidation(e.index)) validationSeconds += d;
    else trainSeconds += d;
  }
  const restricted = [...drumFonts].filter((id) => !isRedistributable(id));
  const restrictedText = restricted.map((id) => `${id} (${fontById(id)?.license ?? 'unknown licence'})`).join(', ');
  if (restricted.length > 0 && !args.research) {
    throw new Error(`the run was trained on drums from ${restrictedText}, whose licence does not let us ship the model (scripts/synth/LICENSES.md); pass --research to write a research bundle elsewhere`);
  }
  if (restricted.length > 0 && resolve(args.out!) === resolve('models', 'default')) {
    throw new Error(`refusing to write the built-in model (models/default) from data with drums from ${restrictedText}`);
  }
  const trainingSecondsTotal = run.history.reduce((s, r) => s + r.seconds, 0);
  // A warm-started run (train.ts --init BUNDLE): the card keeps the first stage's record.
  const initialDirectory = typeof run.config.initialWeights === 'string' ? run.config.initialWeights : null;
  const initialCard = initialDirectory !== null ? (JSON.parse(readFileSync(join(initialDirectory, 'card.json'), 'utf8')) as { training: Record<string, unknown> }) : null;
  const earlierMinutes = initialCard !== null ? Number(initialCard.training.trainingMinutes ?? 0) + Number((initialCard.training.warmStartFrom as { trainingMinutes?: number } | undefined)?.trainingMinutes ?? 0) : 0;
  const totalMinutes = Math.round(trainingSecondsTotal / 60 + earlierMinutes);
  // Training stages: this run plus the chain of warm starts recorded in the initial card.
  let stages = 1;
  for (let t = initialCard?.training as { warmStartFrom?: unknown } | undefined; t !== undefined; t = t.warmStartFrom as { warmStartFrom?: unknown } | undefined) stages++;
  const versionText = [...versions].sort().join(' and ');
  const bundle = createBundle(model, {
    name: 'adtkit-default-crnn',
    description:
      'Built-in five-class drum transcription model of adtkit: CRNN (2 conv blocks, 2-layer bidirectional GRU, 72 units) trained with adtkit\'s own train() on synthetic, license-clean audio. ' +
      `A small-compute model (CPU-only training, about ${totalMinutes} minutes in all${stages > 1 ? `, in ${stages} stages, each warm-started from the previous one, with spectral augmentation from the second on` : ''}): ` +
      'see metrics for what it achieves on real recordings.',
    architecture: 'crnn',
    architectureOptions: run.config.architectureOptions,
    preset: 'thesis',
    sampleRate: 44100,
    segmentFrames: 400,
    classNames: [...DEFAULT_MAPPING.classNames],
    standardization: { mean: run.standardization.mean, std: run.standardization.std },
    peakPicking: { threshold: 0.5, ...THESIS_PEAK },
    license: restricted.length > 0 ? `NOT REDISTRIBUTABLE (research bundle): trained on drum samples from ${restrictedText}` : 'MIT',
    training: {
      data:
        `Synthetic drum performances with melodic accompaniment rendered by adtkit's scripts/synth (generator version ${versionText}, seed 1, examples ${idRanges(used.map((e) => e.index))}` +
        `${versions.has(2) ? '; version 2 adds a synthesized singing voice, an overdriven accompaniment bus and louder accompaniment' : ''}` +
        `${versions.has(3) ? '; version 3 adds louder, more frequent unlabelled shakers and tambourines' : ''}) ` +
        'with FluidSynth 2.3.1 from MIT-licensed soundfonts: FluidR3 GM (Frank Wen, MIT), FluidR3Mono GM (Michael Cowgill, MIT) and MuseScore General ' +
        '(S. Christian Collins et al., MIT / CC0 / public domain); see scripts/synth/LICENSES.md. No real recordings were used for training or tuning.',
      dataset: {
        generator: `scripts/synth/generate.ts --seed 1${versions.has(2) ? ' (--generator-version 2 for examples rendered with it)' : ''}`,
        generatorVersions: [...versions].sort(),
        seed: 1,
        fonts: [
          { file: 'FluidR3_GM.sf2', package: 'fluid-soundfont-gm 3.1-5.3', license: 'MIT' },
          { file: 'FluidR3Mono_GM.sf3', package: 'fluidr3mono-gm-soundfont 2.315-7', license: 'MIT' },
          { file: 'MuseScore_General_Full.sf2', package: 'musescore-general-soundfont-lossless 0.2.1-1', license: 'MIT (parts CC0 / public domain)' },
        ],
        split: 'example index % 10 === 9 → validation, else training',
        trainExamples: run.data.trainExamples,
        validationExamplesForCheckpointSelection: run.data.validationExamples,
        trainHours: Math.round((trainSeconds / 3600) * 100) / 100,
        validationHours: Math.round((validationSeconds / 3600) * 100) / 100,
        trainSegments: run.data.trainSegments,
      },
      config: { ...run.config, classWeights: run.classWeights.map((w) => Math.round(w * 1000) / 1000), loss: 'weighted BCE with infrequency weights (SPEC §5)', optimizer: 'AdamW', hyperparameterSearch: 'none (no compute for it): lr and weight decay set by hand' },
      epochs: run.history.length,
      bestEpoch: best?.epoch ?? null,
      stopReason: run.stopReason === 'aborted' ? 'wall-clock deadline (train() aborted cleanly after the last whole epoch)' : (run.stopReason ?? 'unknown'),
      segmentsSeen: run.history.length * run.config.segmentsPerEpoch,
      trainingMinutes: Math.round(trainingSecondsTotal / 6) / 10,
      secondsPerBatch: run.meanBatchSeconds !== undefined ? Math.round(run.meanBatchSeconds * 100) / 100 : undefined,
      machine: '2 shared CPU cores (wasm backend, SIMD, single thread), no GPU',
      ...(initialCard !== null
        ? {
            warmStartFrom: {
              note: 'this run started from the weights (and standardization) of the bundle below; its training record follows',
              bundle: initialDirectory,
              ...initialCard.training,
            },
            totalTrainingMinutes: totalMinutes,
          }
        : {}),
      curves: run.history.map((r) => ({
        epoch: r.epoch,
        trainLoss: Math.round(r.trainLoss * 1e4) / 1e4,
        validationLoss: r.validationLoss === null ? null : Math.round(r.validationLoss * 1e4) / 1e4,
        validationMicroF1: r.validationMicroF1 === null ? null : Math.round(r.validationMicroF1 * 1e4) / 1e4,
        learningRate: r.learningRate,
        seconds: Math.round(r.seconds),
      })),
    },
    metrics: {
      validationMicroF1Greedy5Frames: best?.validationMicroF1 ?? null,
      validationClassF1Greedy5Frames: best?.validationClassF1 ?? null,
    },
  });

  // Threshold tuning on every validation example (full recordings).
  let validation = all.filter((e) => isValidation(e.index));
  const maxVal = Number(args['max-validation']);
  if (maxVal > 0) validation = validation.slice(0, maxVal);
  const tracks: Track[] = [];
  for (const e of validation) tracks.push(await transcribeTrack(bundle, e.id, e.wav, e.txt, DEFAULT_MAPPING));
  log(`transcribed ${tracks.length} validation examples`);
  const classNames = bundle.card.classNames;
  const tuned = tuneThresholds(tracks, classNames.length);
  const at05 = scoresOf(countTracks(tracks, new Array<number>(classNames.length).fill(0.5)), classNames);
  const atGlobal = scoresOf(countTracks(tracks, new Array<number>(classNames.length).fill(tuned.global)), classNames);
  const atTuned = scoresOf(countTracks(tracks, tuned.perClass), classNames);
  log(`validation micro-F1: threshold 0.5 ${at05.microF1}, global ${tuned.global} ${atGlobal.microF1}, per class [${tuned.perClass.join(', ')}] ${atTuned.microF1}`);
  bundle.card.peakPicking = { threshold: tuned.global, classThresholds: tuned.perClass, ...THESIS_PEAK };
  bundle.card.metrics = {
    ...bundle.card.metrics,
    syntheticValidation: {
      examples: tracks.length,
      hours: Math.round((tracks.reduce((s, t) => s + t.durationSeconds, 0) / 3600) * 100) / 100,
      matching: 'mir_eval bipartite, 50 ms; thesis peak picking (m = a = w = 2, δ = 0.1)',
      thresholdGrid: `${THRESHOLD_GRID[0]}..${THRESHOLD_GRID[THRESHOLD_GRID.length - 1]} step 0.05`,
      threshold05: { microF1: at05.microF1, classF1: at05.classF1 },
      tunedGlobal: { threshold: tuned.global, microF1: atGlobal.microF1, classF1: atGlobal.classF1 },
      tunedPerClass: { thresholds: tuned.perClass, microF1: atTuned.microF1, classF1: atTuned.classF1 },
    },
  };
  await saveBundle(args.out!, bundle);
  const bytes = ['model.json', 'weights.bin', 'card.json'].reduce((s, f) => s + statSync(join(args.out!, f)).size, 0);
  log(`bundle written to ${args.out}: ${(bytes / 1e6).toFixed(2)} MB`);
  model.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
