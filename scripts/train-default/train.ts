/**
 * Trains the built-in model (models/default) on the synthetic, license-clean data rendered by
 * scripts/synth (not shipped). Deterministic split by example index (every tenth example,
 * index % 10 === 9, is validation); segments cached per example (cache.ts); standardization
 * and infrequency weights fitted on the whole training split; an epoch is a seeded sample of
 * `--segments-per-epoch` training segments (the whole split cycles through the epochs); the
 * thesis recipe otherwise (weighted BCE, AdamW, clipping 2, reduce-on-plateau, early stopping,
 * best checkpoint by validation micro-F1). Stops cleanly before `--deadline` (UTC HH:MM).
 *
 *   npx tsx scripts/train-default/train.ts --measure                 # time a training step
 *   npx tsx scripts/train-default/train.ts --deadline 21:25 --out /work/train-run
 *
 * Writes `<out>/last`, `<out>/best` (checkpoints; `best/model.json` + `weights.bin`) and
 * `<out>/run.json` (config, standardization, class weights, curves, timings).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createCRNN, enableWasmThreads, enableWasmTraining, loadModel, nodeFileHandler, type CreateCRNNOptions } from '../../src/models/index.js';
import { AugmentedDataset } from './augment.js';
import { buildOverlayBank } from './overlays.js';
import { AdamW, datasetInfrequencyWeights, fitDatasetStandardization, train, weightedBceWithLogits, withSeededRandom, type EpochRecord } from '../../src/train/index.js';
import { EpochSubset, cacheExample, isValidation, listSynthDirectories, openCached, SEGMENT_OPTIONS } from './common.js';

const { values: args } = parseArgs({
  options: {
    /** Rendered data directory, or several separated by commas. */
    data: { type: 'string', default: '/work/synth-data' },
    cache: { type: 'string', default: '/work/train-cache' },
    out: { type: 'string', default: '/work/train-run' },
    deadline: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '16' },
    'segments-per-epoch': { type: 'string', default: '640' },
    'validation-examples': { type: 'string', default: '0' },
    layers: { type: 'string', default: '2' },
    hidden: { type: 'string', default: '72' },
    lr: { type: 'string', default: '1e-3' },
    wd: { type: 'string', default: '1e-4' },
    epochs: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    resume: { type: 'boolean', default: false },
    augment: { type: 'boolean', default: false },
    /** Mix synthesized cymbals (CY) and pitched distractors into segments (overlays.ts); also into validation. */
    overlays: { type: 'boolean', default: false },
    init: { type: 'string' },
    threads: { type: 'string', default: '1' },
    measure: { type: 'boolean', default: false },
  },
});

function deadlineMs(hhmm: string | undefined): number | null {
  if (hhmm === undefined) return null;
  const [h, m] = hhmm.split(':').map(Number);
  const d = new Date();
  d.setUTCHours(h, m, 0, 0);
  if (d.getTime() < Date.now() - 12 * 3600e3) d.setUTCDate(d.getUTCDate() + 1);
  return d.getTime();
}

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function setBackend(name: string): Promise<void> {
  if (name === 'wasm') {
    enableWasmTraining();
    if (Number(args.threads) > 1) enableWasmThreads({ threads: Number(args.threads) });
  }
  await tf.setBackend(name);
  await tf.ready();
}

/** Times forward + backward + AdamW steps at a few batch sizes (random inputs). */
async function measure(): Promise<void> {
  await setBackend(args.backend!);
  const model = withSeededRandom(1, () => createCRNN({ numLayers: Number(args.layers), hiddenSize: Number(args.hidden), cell: 'gru' } as CreateCRNNOptions));
  log(`${tf.getBackend()}: CRNN(${args.layers}, ${args.hidden}, GRU) ${model.countParams()} params`);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = new AdamW({ learningRate: 1e-3, weightDecay: 1e-4 });
  for (const b of args.batch!.split(',').map(Number)) {
    const x = tf.randomNormal([b, 400, 84, 1]);
    const y = tf.cast(tf.greater(tf.randomUniform([b, 400, 5]), 0.9), 'float32');
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const l = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => weightedBceWithLogits(model.apply(x, { training: true }) as tf.Tensor, y, [1, 1, 1, 1, 1]), vars);
        opt.applyGradients(grads);
        return value;
      });
      await l.data();
      l.dispose();
      times.push((Date.now() - t0) / 1000);
    }
    const t0 = Date.now();
    const p = model.predict(x) as tf.Tensor;
    await p.data();
    p.dispose();
    const fwd = (Date.now() - t0) / 1000;
    log(`batch ${b}: steps ${times.map((t) => t.toFixed(2)).join(', ')} s → ${(Math.min(...times.slice(1)) / b).toFixed(3)} s/segment; forward ${(fwd / b).toFixed(3)} s/segment`);
    tf.dispose([x, y]);
  }
}

async function main(): Promise<void> {
  if (args.measure) return measure();
  const started = Date.now();
  const deadline = deadlineMs(args.deadline);
  // A resumed run uses the examples of the first start (the renderer may have added more since).
  mkdirSync(args.out!, { recursive: true });
  const listFile = join(args.out!, 'examples.json');
  // --data may list several rendered directories (comma-separated; example indices must not repeat).
  let examples = listSynthDirectories(args.data!);
  if (args.resume && existsSync(listFile)) {
    const ids = new Set(JSON.parse(readFileSync(listFile, 'utf8')) as string[]);
    examples = examples.filter((e) => ids.has(e.id));
  } else {
    writeFileSync(listFile, JSON.stringify(examples.map((e) => e.id)));
  }
  for (const e of examples) await cacheExample(args.cache!, e);
  const trainExamples = examples.filter((e) => !isValidation(e.index));
  let validationExamples = examples.filter((e) => isValidation(e.index));
  const maxVal = Number(args['validation-examples']);
  if (maxVal > 0) validationExamples = validationExamples.slice(0, maxVal);
  const { dataset: trainAll } = await openCached(args.cache!, trainExamples);
  const { dataset: validation } = await openCached(args.cache!, validationExamples);
  log(`${examples.length} examples: ${trainExamples.length} training (${trainAll.length} segments), ${validationExamples.length} validation (${validation.length} segments)`);

  // A warm start keeps the standardization its weights were trained with.
  const fitted = await fitDatasetStandardization(trainAll);
  const standardization =
    args.init !== undefined
      ? (() => {
          const card = JSON.parse(readFileSync(join(args.init!, 'card.json'), 'utf8')) as { standardization: { mean: number; std: number } };
          return { ...fitted, mean: [card.standardization.mean], std: [card.standardization.std] };
        })()
      : fitted;
  const classWeights = await datasetInfrequencyWeights(trainAll);
  log(`standardization mean ${standardization.mean} std ${standardization.std}; class weights ${Array.from(classWeights).map((w) => w.toFixed(2)).join(' ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  await setBackend(args.backend!);
  const seed = Number(args.seed);
  const perEpoch = Math.min(Number(args['segments-per-epoch']), trainAll.length);
  const subset = new EpochSubset(trainAll, perEpoch, seed);
  // Overlay banks: training and validation draw from different synthesized clips.
  const overlayBanks = args.overlays ? { train: buildOverlayBank(seed * 7 + 11), validation: buildOverlayBank(seed * 7 + 12, 40, 40) } : null;
  if (overlayBanks) log(`overlay banks: ${overlayBanks.train.length} training clips, ${overlayBanks.validation.length} validation clips`);
  const augmented = args.augment || overlayBanks ? new AugmentedDataset(subset, seed, overlayBanks && { bank: overlayBanks.train }, args.augment) : null;
  // Validation with overlays is fixed (epoch 0 of its own stream) and has no spectral augmentation.
  const validationSet = overlayBanks ? new AugmentedDataset(validation, seed + 1, { bank: overlayBanks.validation }, false) : validation;
  // Warm start: the weights of an existing bundle's model (same architecture).
  let initialWeights: Float32Array[] | null = null;
  if (args.init !== undefined) {
    const initial = await loadModel(nodeFileHandler(args.init));
    initialWeights = await Promise.all(initial.getWeights().map(async (w) => (await w.data()) as Float32Array));
    initial.dispose();
    log(`initial weights from ${args.init} (${initialWeights.length} tensors)`);
  }
  const batchSize = Number(args.batch);
  const architectureOptions = { numLayers: Number(args.layers), hiddenSize: Number(args.hidden), cell: 'gru' as const };
  const config = {
    architecture: 'crnn',
    architectureOptions,
    backend: tf.getBackend(),
    batchSize,
    segmentsPerEpoch: perEpoch,
    learningRate: Number(args.lr),
    weightDecay: Number(args.wd),
    maxGradNorm: 2,
    plateau: { factor: 0.2, patience: 5 },
    earlyStopping: { patience: 15 },
    maxEpochs: Number(args.epochs),
    seed,
    deadline: args.deadline ?? null,
    segments: SEGMENT_OPTIONS.segmentFrames,
    widening: SEGMENT_OPTIONS.widening,
    split: 'example index % 10 === 9 → validation, others → training',
    augmentation: args.augment ? 'scripts/train-default/augment.ts: gain −12..+6 dB, tilt ±8 dB, two ±10 dB resonances, noise floor (p 0.3)' : null,
    overlays: args.overlays
      ? 'scripts/train-default/overlays.ts: p 0.5 synthesized cymbals (CY, −30..−2 dB of the segment peak, sometimes ride patterns), p 0.5 pitched distractors (no label, −24..+2 dB); bank seeds 7·seed+11 (train, 320 clips) / 7·seed+12 (validation, 80 clips, fixed draw)'
      : null,
    initialWeights: args.init ?? null,
    wasmThreads: Number(args.threads),
  };
  const controller = new AbortController();
  const history: EpochRecord[] = [];
  let batchTimes: number[] = [];
  let lastBatch = Date.now();
  const writeRun = (extra: Record<string, unknown> = {}) =>
    writeFileSync(
      join(args.out!, 'run.json'),
      JSON.stringify(
        {
          config,
          data: { directory: args.data, examples: examples.length, trainExamples: trainExamples.length, validationExamples: validationExamples.length, trainSegments: trainAll.length, validationSegments: validation.length },
          standardization,
          classWeights: Array.from(classWeights),
          history,
          elapsedSeconds: (Date.now() - started) / 1000,
          ...extra,
        },
        null,
        1,
      ),
    );
  const makeModel = () => {
    const model = createCRNN(architectureOptions as CreateCRNNOptions);
    if (initialWeights !== null) {
      const tensors = model.getWeights().map((w, i) => tf.tensor(initialWeights![i], w.shape));
      model.setWeights(tensors);
      tf.dispose(tensors);
    }
    return model;
  };
  const result = await train(makeModel, { train: augmented ?? subset, validation: validationSet }, {
    epochs: config.maxEpochs,
    batchSize,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    maxGradNorm: 2,
    plateau: config.plateau,
    earlyStopping: config.earlyStopping,
    standardization,
    classWeights,
    seed,
    checkpointDirectory: args.out,
    resume: args.resume,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.type === 'start') {
        subset.redraw(e.startEpoch - 1);
        if (augmented) augmented.epoch = e.startEpoch - 1;
        log(`start at epoch ${e.startEpoch}, ${e.batchesPerEpoch} batches of ${batchSize} per epoch${e.resumed ? ' (resumed)' : ''}`);
        lastBatch = Date.now();
      } else if (e.type === 'batch') {
        const now = Date.now();
        batchTimes.push((now - lastBatch) / 1000);
        lastBatch = now;
        if (e.batch % 10 === 0) log(`epoch ${e.epoch} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(3)} (${(batchTimes.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, batchTimes.length)).toFixed(2)} s/batch)`);
        // Hard stop: past the deadline mid-epoch (the last epoch's checkpoint stays valid).
        if (deadline !== null && now > deadline + 60e3) controller.abort();
      } else if (e.type === 'epoch') {
        const r = e.record;
        history.splice(0, history.length, ...e.history);
        log(
          `epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, val loss ${r.validationLoss?.toFixed(4)}, val micro-F1 ${r.validationMicroF1?.toFixed(4)} ` +
            `(KD/SD/TT/HH/CY ${r.validationClassF1?.map((f) => f.toFixed(3)).join('/')}), lr ${r.learningRate.toExponential(1)}, ${r.seconds.toFixed(0)} s${r.isBest ? ' *best' : ''}`,
        );
        writeRun({ meanBatchSeconds: batchTimes.reduce((a, b) => a + b, 0) / Math.max(1, batchTimes.length) });
        subset.redraw(r.epoch);
        if (augmented) augmented.epoch = r.epoch;
        // Soft stop: the next epoch would not end before the deadline.
        if (deadline !== null && Date.now() + r.seconds * 1000 * 1.02 > deadline) {
          log('the next epoch would end after the deadline: stopping');
          controller.abort();
        }
        lastBatch = Date.now();
      }
    },
  });
  log(`done: ${result.stopReason}, ${result.epochsCompleted} epochs, best micro-F1 ${result.bestValidationMicroF1?.toFixed(4)} at epoch ${result.bestEpoch}; ${((Date.now() - started) / 60000).toFixed(1)} min`);
  writeRun({
    stopReason: result.stopReason,
    epochsCompleted: result.epochsCompleted,
    bestEpoch: result.bestEpoch,
    bestValidationMicroF1: result.bestValidationMicroF1,
    meanBatchSeconds: batchTimes.reduce((a, b) => a + b, 0) / Math.max(1, batchTimes.length),
  });
  batchTimes = [];
  result.model.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
