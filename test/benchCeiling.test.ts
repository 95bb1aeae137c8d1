/**
 * bench/ceiling.ts: the multiply-add counter that the speed bench's lower bounds rest on, checked
 * against hand counts, and the SIMD peak probe.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { countForwardMacs, wasmSimdPeakGmacPerSecond } from '../bench/ceiling.js';
import { createCRNN } from '../src/models/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('countForwardMacs', () => {
  it('counts matrix products (any transposition, batched, fused) and convolutions by hand-checkable formulas', async () => {
    const a = tf.ones([3, 5, 7]);
    const b = tf.ones([3, 7, 2]);
    const m = tf.ones([4, 6]);
    const w = tf.ones([4, 9]);
    const x = tf.ones([2, 10, 12, 3]);
    const f = tf.ones([3, 3, 3, 8]);
    const macs = await countForwardMacs(() => {
      tf.matMul(a, b).dispose(); // 3·5·7·2 = 210
      tf.matMul(b, a, true, true).dispose(); // [3,2,7]·[3,7,5]: 3·2·7·5 = 210
      tf.fused.matMul({ a: m, b: w, transposeA: true, bias: tf.ones([9]), activation: 'relu' }).dispose(); // [6,4]·[4,9]: 216
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').dispose(); // 2·10·12·8 outputs × 27 taps = 51840
    });
    expect(macs.dense).toBe(210 + 210 + 216);
    expect(macs.convolution).toBe(51840);
    // An asynchronous run (as transcribe() is) counts every kernel it runs across awaits.
    const later = await countForwardMacs(async () => {
      tf.matMul(a, b).dispose();
      await new Promise((r) => setTimeout(r, 5));
      tf.matMul(a, b).dispose();
    });
    expect(later.dense).toBe(420);
    tf.dispose([a, b, m, w, x, f]);
  });

  it('counts a CRNN forward: its GRU products and scans, and its convolutions, as the architecture implies', async () => {
    const model = createCRNN({ numLayers: 1, hiddenSize: 8, cell: 'gru', searchSpace: 'any' });
    const x = tf.zeros([2, 10, 84, 1]);
    const before = tf.memory().numTensors;
    const macs = await countForwardMacs(() => tf.tidy(() => { (model.predict(x) as tf.Tensor).dataSync(); }));
    expect(tf.memory().numTensors).toBe(before);
    // Recurrent part of one bidirectional GRU layer of 8 units: per direction T·B·H·3H.
    const rows = 2 * 10;
    const recurrent = 2 * rows * 8 * 24;
    expect(macs.dense).toBeGreaterThan(recurrent);
    // Convolutions: a fixed front end whose count depends only on frames, not on the GRU size.
    const other = createCRNN({ numLayers: 1, hiddenSize: 16, cell: 'gru', searchSpace: 'any' });
    const macs2 = await countForwardMacs(() => tf.tidy(() => { (other.predict(x) as tf.Tensor).dataSync(); }));
    expect(macs2.convolution).toBe(macs.convolution);
    expect(macs2.dense).toBeGreaterThan(macs.dense);
    expect(macs.convolution).toBeGreaterThan(0);
    model.dispose();
    other.dispose();
    x.dispose();
  });
});

describe('wasmSimdPeakGmacPerSecond', () => {
  it('measures a positive, finite multiply-add rate on one and two threads', async () => {
    const one = await wasmSimdPeakGmacPerSecond(1, 2_000_000);
    const two = await wasmSimdPeakGmacPerSecond(2, 2_000_000);
    for (const v of [one, two]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0.1);
    }
  });
});
