/**
 * `train(model, data, options)`: the thesis training procedure as one resumable loop.
 *
 * Per epoch: seeded shuffle → batches → weighted BCE (infrequency weights) → gradients →
 * global-norm clipping → AdamW; then validation loss (unweighted) and validation micro-F1
 * (thesis peak picking + greedy matching, 5 frames), reduce-LR-on-plateau and early stopping on
 * the validation loss, the best weights by validation micro-F1 kept, and a checkpoint written
 * (weights, optimizer moments, epoch, RNG state, scheduler and early-stopping state), so that a
 * run killed at any point and resumed ends with the same weights as an uninterrupted run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { AdtError, InvalidArgumentError, ShapeError } from '../errors.js';
import { AdamW, type AdamWState } from './adamw.js';
import { clipGradientsByGlobalNorm } from './clipGradients.js';
import type { CheckpointFiles, CheckpointStore } from './checkpointStore.js';
import { directoryCheckpointStore } from './checkpointStore.js';
import { applyStandardization } from '../dsp/index.js';
import type { FitStandardizationOptions, StandardizationStats } from '../dsp/index.js';
import { batchIndices, datasetInfrequencyWeights } from './dataset.js';
import type { SegmentBatch, SegmentDataset } from './dataset.js';
import { unweightedBceWithLogits, weightedBceWithLogits, assertValidClassWeights } from './loss.js';
import { Rng, deriveSeed, withSeededRandom } from './random.js';
import { EarlyStopping, ReduceLROnPlateau } from './schedulers.js';
import type { EarlyStoppingOptions, EarlyStoppingState, ReduceLROnPlateauOptions, ReduceLROnPlateauState } from './schedulers.js';
import { fitDatasetStandardization } from './standardization.js';
import { thesisValidationScorer } from './validationScore.js';
import type { ValidationScore, ValidationScorer } from './validationScore.js';

/** Training and validation data. */
export interface TrainData {
  /** Training segments. */
  train: SegmentDataset;
  /** Validation segments; without them there is no validation loss, F1, LR schedule or early stop. */
  validation?: SegmentDataset;
}

/** One epoch's figures. */
export interface EpochRecord {
  /** Epoch number, 1-based. */
  epoch: number;
  /** Mean of the per-batch weighted training losses (as the thesis reports it). */
  trainLoss: number;
  /** Unweighted validation loss (mean over segments and frames), or null without validation data. */
  validationLoss: number | null;
  /** Validation micro-F1, or null without validation data. */
  validationMicroF1: number | null;
  /** Validation F1 per class, or null. */
  validationClassF1: number[] | null;
  /** Learning rate used during this epoch. */
  learningRate: number;
  /** Wall time of the epoch [s]. */
  seconds: number;
  /** Whether this epoch gave the best validation micro-F1 so far. */
  isBest: boolean;
}

/** Progress events passed to {@link TrainOptions.onProgress}. */
export type TrainProgressEvent =
  | { type: 'start'; startEpoch: number; epochs: number; batchesPerEpoch: number; resumed: boolean }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; learningRate: number }
  | { type: 'epoch'; record: EpochRecord; history: readonly EpochRecord[] }
  | { type: 'end'; reason: TrainStopReason; epochsCompleted: number };

/** Why training ended. */
export type TrainStopReason = 'epochs' | 'early-stopping' | 'aborted';

/** Options of {@link train}; defaults are the thesis values (SPEC §5). */
export interface TrainOptions {
  /** Maximum number of epochs. @defaultValue 100 */
  epochs?: number;
  /** Segments per batch. @defaultValue 128 */
  batchSize?: number;
  /** Segments per validation batch. @defaultValue `batchSize` */
  validationBatchSize?: number;
  /** AdamW learning rate (search space: log-uniform in [1e-4, 5e-3]). @defaultValue 1e-3 */
  learningRate?: number;
  /** AdamW decoupled weight decay (search space: log-uniform in [1e-6, 1e-2]). @defaultValue 1e-2 */
  weightDecay?: number;
  /** AdamW β1. @defaultValue 0.9 */
  beta1?: number;
  /** AdamW β2. @defaultValue 0.999 */
  beta2?: number;
  /** AdamW epsilon. @defaultValue 1e-8 */
  epsilon?: number;
  /** Global-norm gradient clipping; null disables it. @defaultValue 2 */
  maxGradNorm?: number | null;
  /** Reduce-LR-on-plateau of the validation loss; false disables it. @defaultValue factor 0.2, patience 5 */
  plateau?: ReduceLROnPlateauOptions | false;
  /** Early stopping on the validation loss; false disables it. @defaultValue patience 15 */
  earlyStopping?: EarlyStoppingOptions | false;
  /** Class weights of the loss. @defaultValue infrequency weights of the training set */
  classWeights?: ArrayLike<number>;
  /**
   * Input standardization: `'fit'` fits it on the training set (one mean and std, the
   * thesis), statistics from dsp's `fitStandardization` are used as given, `'none'` feeds the
   * features unchanged.
   * @defaultValue 'fit'
   */
  standardization?: StandardizationStats | 'fit' | 'none';
  /** How `'fit'` fits (`perBand`, `method: 'pooled' | 'thesis'`). @defaultValue pooled scalars */
  standardizationFit?: FitStandardizationOptions;
  /** Seed of shuffling, dropout and (with a model factory) weight initialisation. @defaultValue 0 */
  seed?: number;
  /** Shuffle the training segments every epoch. @defaultValue true */
  shuffle?: boolean;
  /** Validation scoring (segments → micro-F1). @defaultValue thesis peak picking, 5-frame greedy matching */
  scoreValidation?: ValidationScorer;
  /** Node: write checkpoints under this directory (`last/`, `best/`). */
  checkpointDirectory?: string;
  /** Any checkpoint store (overrides `checkpointDirectory`). */
  checkpointStore?: CheckpointStore;
  /** Resume from the store's last checkpoint when there is one. @defaultValue false */
  resume?: boolean;
  /** Put the best-F1 weights back into the model at the end. @defaultValue true */
  restoreBestWeights?: boolean;
  /** Progress callback; may be async (training waits for it). */
  onProgress?: (event: TrainProgressEvent) => void | Promise<void>;
  /** Stops training after the current batch; the last end-of-epoch checkpoint stays valid. */
  signal?: AbortSignal;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** The trained model (the one given, or the one the factory built). */
  model: LayersModel;
  /** One record per completed epoch (including epochs before a resume). */
  history: EpochRecord[];
  /** Epoch (1-based) with the best validation micro-F1, or null. */
  bestEpoch: number | null;
  /** Best validation micro-F1, or null. */
  bestValidationMicroF1: number | null;
  /** Why training ended. */
  stopReason: TrainStopReason;
  /** Epochs completed in total. */
  epochsCompleted: number;
  /** Standardization applied to the inputs (store it with the model for inference). */
  standardization: StandardizationStats | null;
  /** Class weights of the loss. */
  classWeights: Float32Array;
}

/** JSON part of a training checkpoint. */
interface CheckpointMeta {
  format: 'adtkit-train-checkpoint';
  version: 1;
  epochsCompleted: number;
  seed: number;
  rngState: number;
  optimizer: { step: number; learningRate: number };
  plateau: ReduceLROnPlateauState | null;
  earlyStopping: EarlyStoppingState | null;
  bestEpoch: number | null;
  bestValidationMicroF1: number | null;
  history: EpochRecord[];
  classWeights: number[];
  standardization: StandardizationStats | null;
  /** Model weights in `model.weights` order, then first and second moments of the trainable ones. */
  tensors: Array<{ name: string; shape: number[]; offset: number; size: number }>;
}

const CHECKPOINT_JSON = 'checkpoint.json';
const CHECKPOINT_BIN = 'state.bin';

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`, { field: name });
  return value;
}

function assertModelFitsData(model: LayersModel, bins: number, classes: number, frames: number): void {
  const inShape = model.inputs[0]?.shape;
  if (inShape === undefined || inShape.length !== 4 || (inShape[2] !== null && inShape[2] !== bins) || (inShape[3] !== null && inShape[3] !== 1)) {
    throw new ShapeError(`the model input shape is [${inShape?.join(', ')}], the data needs [batch, ${frames}, ${bins}, 1]`, { field: 'model' });
  }
  if (inShape[1] !== null && inShape[1] !== frames) {
    throw new ShapeError(`the model takes ${inShape[1]} frames, the segments have ${frames}`, { field: 'model' });
  }
  const outShape = model.outputs[0]?.shape;
  if (outShape === undefined || outShape.length !== 3 || (outShape[2] !== null && outShape[2] !== classes)) {
    throw new ShapeError(`the model output shape is [${outShape?.join(', ')}], the targets need [batch, frames, ${classes}]`, { field: 'model' });
  }
}

function snapshotWeights(model: LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

function restoreWeights(model: LayersModel, values: readonly Float32Array[]): void {
  const tensors = model.weights.map((w, i) => tf.tensor(values[i], w.shape as number[], 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

function encodeCheckpoint(meta: Omit<CheckpointMeta, 'tensors'>, model: LayersModel, optimizerState: AdamWState): CheckpointFiles {
  const arrays: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  model.weights.forEach((w, i) => arrays.push({ name: `weight/${i}/${w.originalName}`, shape: w.shape as number[], data: w.read().dataSync() as Float32Array }));
  const trainable = model.trainableWeights;
  optimizerState.firstMoments.forEach((m, i) => arrays.push({ name: `adamw/m/${i}/${trainable[i].originalName}`, shape: trainable[i].shape as number[], data: m }));
  optimizerState.secondMoments.forEach((v, i) => arrays.push({ name: `adamw/v/${i}/${trainable[i].originalName}`, shape: trainable[i].shape as number[], data: v }));
  const total = arrays.reduce((s, a) => s + a.data.length, 0);
  const bin = new Float32Array(total);
  const tensors: CheckpointMeta['tensors'] = [];
  let offset = 0;
  for (const a of arrays) {
    bin.set(a.data, offset);
    tensors.push({ name: a.name, shape: a.shape, offset, size: a.data.length });
    offset += a.data.length;
  }
  const json: CheckpointMeta = { ...meta, tensors };
  return {
    [CHECKPOINT_JSON]: new TextEncoder().encode(JSON.stringify(json)),
    [CHECKPOINT_BIN]: new Uint8Array(bin.buffer),
  };
}

function decodeCheckpoint(files: CheckpointFiles, model: LayersModel): { meta: CheckpointMeta; weights: Float32Array[]; optimizer: AdamWState } {
  const jsonBytes = files[CHECKPOINT_JSON];
  const binBytes = files[CHECKPOINT_BIN];
  if (jsonBytes === undefined || binBytes === undefined) {
    throw new AdtError('CORRUPT_FILE', `training checkpoint lacks ${jsonBytes === undefined ? CHECKPOINT_JSON : CHECKPOINT_BIN}`, { file: CHECKPOINT_JSON });
  }
  const meta = JSON.parse(new TextDecoder().decode(jsonBytes)) as CheckpointMeta;
  if (meta.format !== 'adtkit-train-checkpoint' || meta.version !== 1) {
    throw new AdtError('CORRUPT_FILE', `not an adtkit training checkpoint (format ${JSON.stringify(meta.format)})`, { file: CHECKPOINT_JSON });
  }
  const bin = new Float32Array(binBytes.buffer.slice(binBytes.byteOffset, binBytes.byteOffset + binBytes.byteLength));
  const nw = model.weights.length;
  const nt = model.trainableWeights.length;
  if (meta.tensors.length !== nw + 2 * nt) {
    throw new AdtError('INVALID_WEIGHTS', `the checkpoint holds ${meta.tensors.length} tensors, this model needs ${nw} weights + 2 × ${nt} optimizer moments: was it written for another architecture?`, { file: CHECKPOINT_BIN });
  }
  const read = (k: number, expectedShape: readonly (number | null)[]): Float32Array => {
    const t = meta.tensors[k];
    if (!tf.util.arraysEqual(t.shape, expectedShape as number[]) || t.offset + t.size > bin.length) {
      throw new AdtError('INVALID_WEIGHTS', `checkpoint tensor ${k} ("${t.name}") has shape [${t.shape.join(', ')}], the model expects [${expectedShape.join(', ')}]`, { file: CHECKPOINT_BIN });
    }
    return bin.slice(t.offset, t.offset + t.size);
  };
  const weights = model.weights.map((w, i) => read(i, w.shape as number[]));
  const firstMoments = model.trainableWeights.map((w, i) => read(nw + i, w.shape));
  const secondMoments = model.trainableWeights.map((w, i) => read(nw + nt + i, w.shape));
  return { meta, weights, optimizer: { step: meta.optimizer.step, learningRate: meta.optimizer.learningRate, firstMoments, secondMoments } };
}

async function readBatch(dataset: SegmentDataset, indices: number[], standardization: StandardizationStats | null): Promise<SegmentBatch> {
  const batch = await dataset.read(indices);
  if (standardization === null) return batch;
  const { data } = applyStandardization({ data: batch.features, frames: batch.size * dataset.frames, bins: dataset.bins }, standardization);
  return { ...batch, features: data };
}

function toTensors(batch: SegmentBatch, dataset: SegmentDataset): { x: tf.Tensor4D; y: tf.Tensor3D } {
  return {
    x: tf.tensor4d(batch.features, [batch.size, dataset.frames, dataset.bins, 1]),
    y: tf.tensor3d(batch.targets, [batch.size, dataset.frames, dataset.classes]),
  };
}

/** Validation loss, activations and score of the current weights. */
async function validate(
  model: LayersModel,
  dataset: SegmentDataset,
  batchSize: number,
  standardization: StandardizationStats | null,
  score: ValidationScorer,
): Promise<{ loss: number; score: ValidationScore }> {
  const frames = dataset.frames;
  const classes = dataset.classes;
  const activations = new Float32Array(dataset.length * frames * classes);
  const targets = new Float32Array(dataset.length * frames * classes);
  let lossSum = 0;
  for (const indices of batchIndices(dataset.length, { batchSize })) {
    const batch = await readBatch(dataset, indices, standardization);
    const { x, y } = toTensors(batch, dataset);
    const [lossT, actT] = tf.tidy(() => {
      const logits = model.apply(x, { training: false }) as tf.Tensor;
      return [unweightedBceWithLogits(logits, y), tf.sigmoid(logits)];
    });
    try {
      const offset = indices[0] * frames * classes;
      activations.set(await actT.data() as Float32Array, offset);
      targets.set(batch.targets, offset);
      lossSum += (await lossT.data())[0] * batch.size;
    } finally {
      tf.dispose([x, y, lossT, actT]);
    }
  }
  return { loss: lossSum / dataset.length, score: score(activations, targets, { segments: dataset.length, frames, classes }) };
}

/**
 * Trains a model with the thesis procedure (SPEC §5); see the module comment.
 *
 * @param model - a TF.js layers model taking [batch, frames, bins, 1] and returning logits
 *   [batch, frames, classes], or a factory building one (then built inside
 *   `withSeededRandom(seed)` so that the initial weights follow the seed).
 * @param data - training (and validation) segments.
 * @param options - see {@link TrainOptions}.
 * @returns history, best epoch and F1, stop reason, standardization and class weights.
 * @throws ShapeError when the model does not fit the data; NonFiniteError when the gradients
 *   become non-finite; AdtError CORRUPT_FILE / INVALID_WEIGHTS for an unusable checkpoint.
 * @example
 * ```ts
 * const result = await train(() => createCRNN({ numLayers: 2, hiddenSize: 72 }), { train, validation },
 *   { epochs: 30, batchSize: 8, seed: 1, checkpointDirectory: 'runs/crnn', resume: true });
 * ```
 */
export async function train(model: LayersModel | (() => LayersModel), data: TrainData, options: TrainOptions = {}): Promise<TrainResult> {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(`seed must be an integer, got ${seed}`, { field: 'seed' });
  const epochs = positiveInt('epochs', options.epochs ?? 100);
  const batchSize = positiveInt('batchSize', options.batchSize ?? 128);
  const validationBatchSize = positiveInt('validationBatchSize', options.validationBatchSize ?? batchSize);
  const { train: trainSet, validation } = data;
  if (trainSet === undefined || trainSet.length === 0) throw new InvalidArgumentError('data.train holds no segments', { field: 'data.train' });
  if (validation !== undefined && validation.length > 0 && (validation.bins !== trainSet.bins || validation.classes !== trainSet.classes || validation.frames !== trainSet.frames)) {
    throw new ShapeError(`validation segments are [${validation.frames}, ${validation.bins}] with ${validation.classes} classes, training segments [${trainSet.frames}, ${trainSet.bins}] with ${trainSet.classes}`, { field: 'data.validation' });
  }
  const hasValidation = validation !== undefined && validation.length > 0;
  const net = typeof model === 'function' ? withSeededRandom(deriveSeed(seed, 0x1417), model) : model;
  assertModelFitsData(net, trainSet.bins, trainSet.classes, trainSet.frames);

  const store = options.checkpointStore ?? (options.checkpointDirectory !== undefined ? directoryCheckpointStore(options.checkpointDirectory) : null);
  const emit = async (event: TrainProgressEvent) => {
    if (options.onProgress !== undefined) await options.onProgress(event);
  };
  const scorer = options.scoreValidation ?? thesisValidationScorer();
  const learningRate = options.learningRate ?? 1e-3;
  const optimizer = new AdamW({ learningRate, weightDecay: options.weightDecay ?? 1e-2, beta1: options.beta1, beta2: options.beta2, epsilon: options.epsilon });
  const plateau = options.plateau === false || !hasValidation ? null : new ReduceLROnPlateau(learningRate, options.plateau ?? {});
  const earlyStopping = options.earlyStopping === false || !hasValidation ? null : new EarlyStopping(options.earlyStopping ?? {});
  const maxGradNorm = options.maxGradNorm === undefined ? 2 : options.maxGradNorm;
  const trainable = net.trainableWeights.map((w) => w.read() as tf.Variable);

  let rng = new Rng(seed);
  let history: EpochRecord[] = [];
  let bestEpoch: number | null = null;
  let bestF1: number | null = null;
  let bestWeights: Float32Array[] | null = null;
  let startEpoch = 0;
  let classWeights: Float32Array;
  let standardization: StandardizationStats | null;
  let resumed = false;

  const previous = options.resume === true && store !== null ? await store.read('last') : null;
  try {
    if (previous !== null) {
      const { meta, weights, optimizer: optState } = decodeCheckpoint(previous, net);
      if (meta.seed !== seed) {
        throw new InvalidArgumentError(`the checkpoint was written with seed ${meta.seed}, this run uses seed ${seed}; pass the same seed to resume`, { field: 'seed' });
      }
      restoreWeights(net, weights);
      optimizer.importState(trainable, optState);
      plateau?.setState(meta.plateau ?? plateau.getState());
      earlyStopping?.setState(meta.earlyStopping ?? earlyStopping.getState());
      rng = Rng.fromState(meta.rngState);
      history = meta.history;
      bestEpoch = meta.bestEpoch;
      bestF1 = meta.bestValidationMicroF1;
      startEpoch = meta.epochsCompleted;
      classWeights = Float32Array.from(meta.classWeights);
      standardization = meta.standardization;
      resumed = true;
      if (bestEpoch !== null && store !== null) {
        const best = await store.read('best');
        const bestState = best !== null && best[CHECKPOINT_BIN] !== undefined ? decodeCheckpoint(best, net) : null;
        bestWeights = bestState?.weights ?? null;
      }
    } else {
      classWeights = options.classWeights !== undefined ? Float32Array.from(options.classWeights) : await datasetInfrequencyWeights(trainSet);
      const s = options.standardization ?? 'fit';
      standardization = s === 'none' ? null : s === 'fit' ? await fitDatasetStandardization(trainSet, options.standardizationFit) : s;
    }
    assertValidClassWeights(classWeights, trainSet.classes);
    const weightsT = tf.tensor1d(classWeights);
    const stopReasonOf = (): TrainStopReason | null => (options.signal?.aborted === true ? 'aborted' : null);
    let stopReason: TrainStopReason = 'epochs';
    try {
      const batchesPerEpoch = Math.ceil(trainSet.length / batchSize);
      await emit({ type: 'start', startEpoch: startEpoch + 1, epochs, batchesPerEpoch, resumed });
      if (earlyStopping !== null && startEpoch > 0 && earlyStopping.epochsWithoutImprovement >= earlyStopping.patience) stopReason = 'early-stopping';
      for (let epoch = startEpoch; epoch < epochs && stopReason === 'epochs'; epoch++) {
        const started = Date.now();
        const shuffleRng = new Rng(rng.nextUint32());
        const dropoutRng = new Rng(rng.nextUint32());
        const batches = batchIndices(trainSet.length, { batchSize, shuffle: options.shuffle ?? true, rng: shuffleRng });
        const lr = optimizer.learningRate;
        let lossSum = 0;
        let next: Promise<SegmentBatch> | null = readBatch(trainSet, batches[0], standardization);
        for (let b = 0; b < batches.length; b++) {
          const batch: SegmentBatch = await (next as Promise<SegmentBatch>);
          // Read the next batch while this one trains (overlaps disk reads with compute).
          next = b + 1 < batches.length ? readBatch(trainSet, batches[b + 1], standardization) : null;
          const { x, y } = toTensors(batch, trainSet);
          let lossT: tf.Scalar;
          try {
            lossT = withSeededRandom(dropoutRng, () => tf.tidy(() => {
              const { value, grads } = tf.variableGrads(() => weightedBceWithLogits(net.apply(x, { training: true }) as tf.Tensor, y, weightsT), trainable);
              const used = maxGradNorm === null ? grads : clipGradientsByGlobalNorm(grads, { maxNorm: maxGradNorm }).grads;
              optimizer.applyGradients(used);
              return value;
            }));
          } finally {
            tf.dispose([x, y]);
          }
          const loss = (await lossT.data())[0];
          lossT.dispose();
          lossSum += loss;
          await emit({ type: 'batch', epoch: epoch + 1, batch: b + 1, batches: batches.length, loss, learningRate: lr });
          const reason = stopReasonOf();
          if (reason !== null) {
            await next?.catch(() => undefined);
            stopReason = reason;
            break;
          }
        }
        if (stopReason !== 'epochs') break;

        let validationLoss: number | null = null;
        let score: ValidationScore | null = null;
        if (hasValidation) {
          const v = await validate(net, validation as SegmentDataset, validationBatchSize, standardization, scorer);
          validationLoss = v.loss;
          score = v.score;
          if (plateau !== null) optimizer.learningRate = plateau.step(validationLoss);
        }
        const isBest = score !== null && (bestF1 === null || score.microF1 > bestF1);
        if (isBest && score !== null) {
          bestF1 = score.microF1;
          bestEpoch = epoch + 1;
          bestWeights = snapshotWeights(net);
        }
        const record: EpochRecord = {
          epoch: epoch + 1,
          trainLoss: lossSum / batches.length,
          validationLoss,
          validationMicroF1: score?.microF1 ?? null,
          validationClassF1: score?.classF1 ?? null,
          learningRate: lr,
          seconds: (Date.now() - started) / 1000,
          isBest,
        };
        history.push(record);
        const stop = earlyStopping !== null && validationLoss !== null ? earlyStopping.step(validationLoss) : false;
        if (store !== null) {
          const meta: Omit<CheckpointMeta, 'tensors'> = {
            format: 'adtkit-train-checkpoint',
            version: 1,
            epochsCompleted: epoch + 1,
            seed,
            rngState: rng.getState(),
            optimizer: { step: optimizer.step, learningRate: optimizer.learningRate },
            plateau: plateau?.getState() ?? null,
            earlyStopping: earlyStopping?.getState() ?? null,
            bestEpoch,
            bestValidationMicroF1: bestF1,
            history,
            classWeights: Array.from(classWeights),
            standardization,
          };
          if (isBest) await store.write('best', await bestFiles(net, meta, trainable, optimizer));
          await store.write('last', encodeCheckpoint(meta, net, optimizer.exportState(trainable)));
        }
        await emit({ type: 'epoch', record, history });
        if (stop) stopReason = 'early-stopping';
        else stopReason = stopReasonOf() ?? 'epochs';
      }
    } finally {
      weightsT.dispose();
    }
    if ((options.restoreBestWeights ?? true) && bestWeights !== null) restoreWeights(net, bestWeights);
    await emit({ type: 'end', reason: stopReason, epochsCompleted: history.length });
    return {
      model: net,
      history,
      bestEpoch,
      bestValidationMicroF1: bestF1,
      stopReason,
      epochsCompleted: history.length,
      standardization,
      classWeights,
    };
  } finally {
    optimizer.dispose();
  }
}

/** Files of the `best` entry: the training-checkpoint weights plus a TF.js model (model.json + weights.bin). */
async function bestFiles(net: LayersModel, meta: Omit<CheckpointMeta, 'tensors'>, trainable: tf.Variable[], optimizer: AdamW): Promise<CheckpointFiles> {
  const files = encodeCheckpoint(meta, net, optimizer.exportState(trainable));
  let artifacts: tf.io.ModelArtifacts | undefined;
  await net.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  if (artifacts !== undefined) {
    const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
    const modelJson: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      userDefinedMetadata: { adtkit: { epoch: meta.bestEpoch, validationMicroF1: meta.bestValidationMicroF1, standardization: meta.standardization, classWeights: meta.classWeights } },
    };
    files['model.json'] = new TextEncoder().encode(JSON.stringify(modelJson));
    files['weights.bin'] = new Uint8Array(weightData);
  }
  return files;
}
