import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemorySegmentDataset,
  Rng,
  directoryCheckpointStore,
  memoryCheckpointStore,
  train,
  withSeededRandom,
  type Segment,
  type TrainProgressEvent,
} from '../src/train/index.js';
import { AdtError } from '../src/errors.js';
import { loadModel } from '../src/models/index.js';

const FRAMES = 16;
const BINS = 6;
const CLASSES = 3;

/** A tiny conv + BN + dropout + dense model with the adtkit input/output layout. */
function tinyModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [FRAMES, BINS, 1] });
  let x = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reshape({ targetShape: [FRAMES, BINS * 2] }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: 0.3 }).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: CLASSES }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/** Synthetic segments: an onset of class c where feature column c spikes. */
function syntheticSegments(count: number, seed: number): Segment[] {
  const rng = new Rng(seed);
  const segments: Segment[] = [];
  for (let s = 0; s < count; s++) {
    const features = new Float32Array(FRAMES * BINS);
    const targets = new Float32Array(FRAMES * CLASSES);
    for (let i = 0; i < features.length; i++) features[i] = 0.2 * rng.next();
    for (let t = 1; t < FRAMES - 1; t += 1 + rng.nextInt(4)) {
      const c = rng.nextInt(CLASSES);
      features[t * BINS + c] += 2;
      targets[t * CLASSES + c] = 1;
      if (targets[(t - 1) * CLASSES + c] !== 1) targets[(t - 1) * CLASSES + c] = 0.5;
      targets[(t + 1) * CLASSES + c] = 0.5;
    }
    segments.push({ features, targets });
  }
  return segments;
}

const data = {
  train: new InMemorySegmentDataset({ frames: FRAMES, bins: BINS, classes: CLASSES }, syntheticSegments(20, 1)),
  validation: new InMemorySegmentDataset({ frames: FRAMES, bins: BINS, classes: CLASSES }, syntheticSegments(6, 2)),
};

function weightsOf(model: tfl.LayersModel): number[][] {
  return model.weights.map((w) => Array.from(w.read().dataSync()));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training mode', () => {
  it('model.apply(x, { training: true }) runs dropout and batch normalisation in training mode', () => {
    const model = withSeededRandom(3, tinyModel);
    const x = tf.randomNormal([2, FRAMES, BINS, 1], 0, 1, 'float32', 5);
    const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization') as tfl.layers.Layer;
    const movingMeanBefore = Array.from(bn.weights[2].read().dataSync());
    const inference = model.predict(x) as tf.Tensor;
    const training = model.apply(x, { training: true }) as tf.Tensor;
    expect(training.shape).toEqual([2, FRAMES, CLASSES]);
    expect(Array.from(training.dataSync())).not.toEqual(Array.from(inference.dataSync()));
    expect(Array.from(bn.weights[2].read().dataSync())).not.toEqual(movingMeanBefore);
    tf.dispose([x, inference, training]);
    model.dispose();
  });
});

describe('train', () => {
  it('is deterministic for a seed, learns, and leaks no tensors over an epoch', async () => {
    const counts: number[] = [];
    const model = withSeededRandom(11, tinyModel);
    const before = tf.memory().numTensors;
    const events: TrainProgressEvent[] = [];
    const r1 = await train(model, data, {
      epochs: 3, batchSize: 4, seed: 5, learningRate: 1e-2, weightDecay: 1e-4,
      onProgress: (e) => { events.push(e); if (e.type === 'epoch') counts.push(tf.memory().numTensors); },
    });
    expect(counts.length).toBe(3);
    expect(counts[1]).toBe(counts[0]);
    expect(counts[2]).toBe(counts[0]);
    expect(tf.memory().numTensors).toBe(before);
    expect(events[0]).toMatchObject({ type: 'start', startEpoch: 1, epochs: 3, batchesPerEpoch: 5, resumed: false });
    expect(events.filter((e) => e.type === 'batch').length).toBe(15);
    expect(events[events.length - 1]).toMatchObject({ type: 'end', reason: 'epochs', epochsCompleted: 3 });
    expect(r1.history[2].trainLoss).toBeLessThan(r1.history[0].trainLoss);
    expect(r1.history.every((h) => h.validationLoss !== null && h.validationMicroF1 !== null)).toBe(true);
    expect(r1.standardization).not.toBeNull();
    expect(r1.classWeights.length).toBe(CLASSES);

    const again = await train(() => tinyModel(), data, { epochs: 2, batchSize: 4, seed: 5 });
    const again2 = await train(() => tinyModel(), data, { epochs: 2, batchSize: 4, seed: 5 });
    expect(weightsOf(again2.model)).toEqual(weightsOf(again.model));
    const other = await train(() => tinyModel(), data, { epochs: 2, batchSize: 4, seed: 6 });
    expect(weightsOf(other.model)).not.toEqual(weightsOf(again.model));
    for (const m of [model, again.model, again2.model, other.model]) m.dispose();
  });

  it('a run killed mid-way and resumed ends with the same weights as an uninterrupted run', async () => {
    const options = { epochs: 3, batchSize: 4, seed: 9, learningRate: 5e-3, plateau: { patience: 0 } } as const;
    const full = await train(() => tinyModel(), data, { ...options, checkpointStore: memoryCheckpointStore() });

    const store = memoryCheckpointStore();
    const controller = new AbortController();
    const killed = await train(() => tinyModel(), data, {
      ...options,
      checkpointStore: store,
      signal: controller.signal,
      // "kill" in the middle of epoch 2: the last checkpoint is the one of epoch 1
      onProgress: (e) => { if (e.type === 'batch' && e.epoch === 2 && e.batch === 3) controller.abort(); },
    });
    expect(killed.stopReason).toBe('aborted');
    expect(killed.epochsCompleted).toBe(1);

    const resumedEvents: TrainProgressEvent[] = [];
    const resumed = await train(() => tinyModel(), data, { ...options, checkpointStore: store, resume: true, onProgress: (e) => { resumedEvents.push(e); } });
    expect(resumedEvents[0]).toMatchObject({ type: 'start', startEpoch: 2, resumed: true });
    expect(resumed.epochsCompleted).toBe(3);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));
    const strip = (h: typeof full.history) => h.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(resumed.history)).toEqual(strip(full.history));
    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    for (const m of [full.model, killed.model, resumed.model]) m.dispose();
  });

  it('stops after an epoch, resumes from a directory, and keeps the best model as TF.js files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adtkit-train-'));
    try {
      const options = { epochs: 3, batchSize: 8, seed: 2, checkpointDirectory: dir } as const;
      const full = await train(() => tinyModel(), data, { ...options, checkpointDirectory: join(dir, 'full') });
      const controller = new AbortController();
      const first = await train(() => tinyModel(), data, { ...options, signal: controller.signal, onProgress: (e) => { if (e.type === 'epoch' && e.record.epoch === 1) controller.abort(); } });
      expect(first.epochsCompleted).toBe(1);
      const rest = await train(() => tinyModel(), data, { ...options, resume: true });
      expect(weightsOf(rest.model)).toEqual(weightsOf(full.model));
      const best = await directoryCheckpointStore(dir).read('best');
      expect(best).not.toBeNull();
      const modelJson = JSON.parse(new TextDecoder().decode(best!['model.json']));
      expect(modelJson.format).toBe('layers-model');
      expect(modelJson.userDefinedMetadata.adtkit.epoch).toBe(rest.bestEpoch);
      // the best model loads with TF.js's own format; restoreBestWeights put the same weights in the result
      const loaded = await loadModel(`file://${join(dir, 'best')}`);
      expect(weightsOf(loaded)).toEqual(weightsOf(rest.model));
      loaded.dispose();
      // another seed cannot resume this checkpoint
      await expect(train(() => tinyModel(), data, { ...options, seed: 3, resume: true })).rejects.toThrowError(/written with seed 2/);
      for (const m of [full.model, first.model, rest.model]) m.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a model that does not fit the data, and non-finite gradients', async () => {
    const input = tfl.input({ shape: [FRAMES, BINS + 1, 1] });
    const bad = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: CLASSES }).apply(tfl.layers.reshape({ targetShape: [FRAMES, BINS + 1] }).apply(input)) as tfl.SymbolicTensor });
    await expect(train(bad, data, { epochs: 1 })).rejects.toMatchObject({ code: 'INVALID_SHAPE' });
    const nanSegments = syntheticSegments(4, 3);
    nanSegments[0].features[0] = NaN;
    const nanData = { train: new InMemorySegmentDataset({ frames: FRAMES, bins: BINS, classes: CLASSES }, nanSegments) };
    const err = await train(() => tinyModel(), nanData, { epochs: 1, batchSize: 4, standardization: 'none' }).catch((e) => e);
    expect(err).toBeInstanceOf(AdtError);
    expect(err.code).toBe('NON_FINITE');
    await expect(train(() => tinyModel(), data, { epochs: 0 })).rejects.toThrowError(/epochs must be a positive integer, got 0/);
  });
});
