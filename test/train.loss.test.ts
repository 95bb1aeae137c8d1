import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadArray, maxAbsDiff, readManifest } from './helpers/fixtures.js';
import {
  InfrequencyWeightsAccumulator,
  bceWithLogits,
  infrequencyWeights,
  timestepWeights,
  unweightedBceWithLogits,
  weightedBceWithLogits,
} from '../src/train/index.js';
import { AdtError } from '../src/errors.js';

const manifest = readManifest('loss.json');
const cases: any[] = manifest.cases;

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loss.json fixtures', () => {
  it('lists cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const labels = loadArray(c.labels);
      const logits = loadArray(c.logits);
      const [B, T, C] = labels.shape;

      it('infrequency weights (float32, rtol 1e-6), in dataloader batches', () => {
        // The reference iterates a DataLoader with weights_dataloader_batch_size segments per batch.
        const acc = new InfrequencyWeightsAccumulator(C);
        const per = c.weights_dataloader_batch_size * T * C;
        for (let start = 0; start < labels.data.length; start += per) {
          acc.add(labels.data.subarray(start, start + per));
        }
        expect(acc.counts).toEqual(c.count_of_exact_ones_per_class);
        expect(acc.frames).toBe(c.num_timesteps);
        const w = acc.weights();
        for (let k = 0; k < C; k++) {
          expect(relErr(w[k], c.infrequency_weights[k])).toBeLessThanOrEqual(1e-6);
        }
        const whole = infrequencyWeights({ data: labels.data, classes: C });
        expect(Array.from(whole)).toEqual(Array.from(w));
      });

      it('element-wise BCE (atol 1e-6), timestep weights, losses (rtol 1e-5)', () => {
        const before = tf.memory().numTensors;
        const x = tf.tensor3d(logits.data as Float32Array, [B, T, C]);
        const y = tf.tensor3d(labels.data as Float32Array, [B, T, C]);
        const weights = Float32Array.from(c.infrequency_weights);
        const bce = bceWithLogits(x, y);
        const expectedBce = loadArray(c.bce_elementwise).data;
        expect(maxAbsDiff(bce.dataSync(), expectedBce).max).toBeLessThanOrEqual(1e-6);

        const tw = timestepWeights(y, weights);
        expect(tw.shape).toEqual([B, T]);
        const expectedTw = loadArray(c.timestep_weights).data;
        const twData = tw.dataSync();
        for (let i = 0; i < twData.length; i++) {
          expect(relErr(twData[i], expectedTw[i])).toBeLessThanOrEqual(1e-6);
        }

        const train = weightedBceWithLogits(x, y, weights);
        expect(relErr(train.dataSync()[0], c.train_loss)).toBeLessThanOrEqual(1e-5);
        expect(relErr(train.dataSync()[0], c.train_loss_reported)).toBeLessThanOrEqual(1e-5);
        const val = unweightedBceWithLogits(x, y);
        expect(relErr(val.dataSync()[0], c.validation_loss_unweighted)).toBeLessThanOrEqual(1e-5);
        tf.dispose([x, y, bce, tw, train, val]);
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  }
});

describe('loss properties', () => {
  it('gradient of the weighted loss is (sigmoid(x) - y) * frameWeight / (B*T)', () => {
    const x = tf.tensor3d([0.3, -1.2, 2.0, 0, 0.5, -0.7], [1, 2, 3]);
    const y = tf.tensor3d([1, 0, 0.5, 0, 1, 0], [1, 2, 3]);
    const w = [2, 3, 4];
    const g = tf.grad((l: tf.Tensor) => weightedBceWithLogits(l, y, w))(x);
    const xs = x.dataSync();
    const ys = y.dataSync();
    const frameW = [Math.max(1, 1 * 2 + 0.5 * 4), Math.max(1, 1 * 3)];
    const gd = g.dataSync();
    for (let i = 0; i < 6; i++) {
      const expected = (1 / (1 + Math.exp(-xs[i])) - ys[i]) * frameW[Math.floor(i / 3)] / 2;
      expect(gd[i]).toBeCloseTo(expected, 6);
    }
    tf.dispose([x, y, g]);
  });

  it('rejects mismatched shapes and weight counts with typed errors', () => {
    const x = tf.zeros([1, 4, 5]);
    const y = tf.zeros([1, 4, 3]);
    expect(() => weightedBceWithLogits(x, y, [1, 1, 1])).toThrowError(/targets shape \[1, 4, 3\] differs/);
    try {
      weightedBceWithLogits(x, tf.zeros([1, 4, 5]), [1, 1]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AdtError);
      expect((e as AdtError).code).toBe('INVALID_SHAPE');
    }
    expect(() => infrequencyWeights({ data: new Float32Array(7), classes: 5 })).toThrowError(/multiple of the class count 5/);
    expect(() => new InfrequencyWeightsAccumulator(5).weights()).toThrowError(/at least one frame/);
    tf.dispose([x, y]);
  });

  it('an absent class gets 434294496 (float32 arithmetic)', () => {
    const t = new Float32Array(10 * 2);
    for (let i = 0; i < 10; i++) t[i * 2] = i % 3 === 0 ? 1 : 0.5;
    const w = infrequencyWeights({ data: t, classes: 2 });
    expect(w[1]).toBe(434294496);
  });
});
