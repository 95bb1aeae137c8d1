/**
 * The WebAssembly SIMD GRU / LSTM scans (src/models/gruScan.ts, wasm/gruScan.wat): the committed
 * binary is the compiled source; the forward recurrences equal a float64 evaluation of PyTorch's
 * GRU and LSTM equations for odd shapes (padding of units and rows), both directions, with and without the
 * recurrent bias, and saturating inputs; models give the same outputs with the scan kernels as
 * with the per-step path, on cpu and wasm, without leaking tensors. (Its backward pass is
 * checked against TF.js autodiff in models.recurrentBptt.test.ts.)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCRNN, createRNN } from '../src/models/index.js';
import {
  ADT_GRU_SCAN,
  ADT_GRU_SCAN_GRAD,
  ADT_GRU_SCAN_PAIR,
  ADT_LSTM_SCAN,
  ADT_LSTM_SCAN_PAIR,
  gruScanAvailable,
  gruScanForward,
  gruScanForwardPair,
  lstmScanForward,
  lstmScanForwardPair,
  parallelScansRunning,
  startParallelScans,
  stopParallelScans,
} from '../src/models/gruScan.js';
// @ts-expect-error: plain ESM build script without types
import { binaryModuleSource, compileWat } from '../scripts/build-wasm.mjs';

/** PyTorch's GRU recurrence in float64 (proj has b_ir + b_hr, b_iz + b_hz, b_in folded in). */
function referenceGru(proj: Float32Array, w: Float32Array, bias: Float32Array | null, t: number, b: number, h: number, reverse: boolean): Float64Array {
  const out = new Float64Array(t * b * h);
  let state = new Float64Array(b * h);
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  for (let s = 0; s < t; s++) {
    const time = reverse ? t - 1 - s : s;
    const next = new Float64Array(b * h);
    for (let r = 0; r < b; r++) {
      const gh = new Float64Array(3 * h);
      for (let j = 0; j < 3 * h; j++) {
        let sum = bias ? bias[j] : 0;
        for (let i = 0; i < h; i++) sum += state[r * h + i] * w[i * 3 * h + j];
        gh[j] = sum;
      }
      const p = (time * b + r) * 3 * h;
      for (let j = 0; j < h; j++) {
        const rg = sigmoid(proj[p + j] + gh[j]);
        const z = sigmoid(proj[p + h + j] + gh[h + j]);
        const n = Math.tanh(proj[p + 2 * h + j] + rg * gh[2 * h + j]);
        next[r * h + j] = n + z * (state[r * h + j] - n);
      }
    }
    out.set(next, time * b * h);
    state = next;
  }
  return out;
}

/** PyTorch's LSTM recurrence in float64 (proj has all biases folded in; gate blocks i, f, g, o). */
function referenceLstm(proj: Float32Array, w: Float32Array, t: number, b: number, h: number, reverse: boolean): Float64Array {
  const out = new Float64Array(t * b * h);
  let state = new Float64Array(b * h);
  const cell = new Float64Array(b * h);
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  for (let s = 0; s < t; s++) {
    const time = reverse ? t - 1 - s : s;
    const next = new Float64Array(b * h);
    for (let r = 0; r < b; r++) {
      const a = new Float64Array(4 * h);
      for (let j = 0; j < 4 * h; j++) {
        let sum = proj[(time * b + r) * 4 * h + j];
        for (let i = 0; i < h; i++) sum += state[r * h + i] * w[i * 4 * h + j];
        a[j] = sum;
      }
      for (let j = 0; j < h; j++) {
        const c = sigmoid(a[h + j]) * cell[r * h + j] + sigmoid(a[j]) * Math.tanh(a[2 * h + j]);
        cell[r * h + j] = c;
        next[r * h + j] = sigmoid(a[3 * h + j]) * Math.tanh(c);
      }
    }
    out.set(next, time * b * h);
    state = next;
  }
  return out;
}

function values(length: number, seed: number, scale: number): Float32Array {
  return Float32Array.from({ length }, (_, k) => scale * Math.sin(k * 0.731 + seed) * Math.cos(k * 0.0173 + 2 * seed));
}

describe('GRU scan module', () => {
  it('the committed binary is the compiled .wat source', async () => {
    const source = join(import.meta.dirname, '..', 'src', 'models', 'wasm', 'gruScan.wat');
    const bytes: Buffer = await compileWat(source);
    const shared: Buffer = await compileWat(source, { shared: true });
    expect(readFileSync(join(dirname(source), 'gruScanBinary.ts'), 'utf8')).toBe(binaryModuleSource('gruScan', bytes, shared));
  });

  it('is available here (Node has WebAssembly SIMD)', () => {
    expect(gruScanAvailable()).toBe(true);
  });

  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [7, 3, 5],
    [13, 4, 16],
    [5, 2, 72],
    [3, 5, 33],
    [20, 16, 288],
  ];
  for (const [t, b, h] of shapes) {
    it(`forward equals PyTorch's equations in float64 within 2e-6: T ${t}, batch ${b}, units ${h}, both directions, with and without bias`, () => {
      const proj = values(t * b * 3 * h, t + b, 1.5);
      const w = values(h * 3 * h, h, 1 / Math.sqrt(h));
      const bias = values(3 * h, 7, 0.3);
      for (const reverse of [false, true]) {
        for (const withBias of [true, false]) {
          const { hs, ghs } = gruScanForward(proj, w, withBias ? bias : null, t, b, h, reverse, true);
          const expected = referenceGru(proj, w, withBias ? bias : null, t, b, h, reverse);
          expect(hs.length).toBe(t * b * h);
          expect(ghs!.length).toBe(t * b * 3 * h);
          let max = 0;
          for (let i = 0; i < hs.length; i++) max = Math.max(max, Math.abs(hs[i] - expected[i]));
          expect(max, `reverse ${reverse}, bias ${withBias}`).toBeLessThan(2e-6);
          // Without saving the gates: the same states.
          expect(gruScanForward(proj, w, withBias ? bias : null, t, b, h, reverse, false).hs).toEqual(hs);
        }
      }
    });
  }

  for (const [t, b, h] of shapes) {
    it(`LSTM forward equals PyTorch's equations in float64 within 2e-6: T ${t}, batch ${b}, units ${h}, both directions`, () => {
      const proj = values(t * b * 4 * h, t + 2 * b, 1.5);
      const w = values(h * 4 * h, h + 1, 1 / Math.sqrt(h));
      for (const reverse of [false, true]) {
        const { hs } = lstmScanForward(proj, w, t, b, h, reverse);
        const expected = referenceLstm(proj, w, t, b, h, reverse);
        // Saving the gates and cell states (training) gives the same states.
        const saved = lstmScanForward(proj, w, t, b, h, reverse, true);
        expect(saved.hs).toEqual(hs);
        expect(saved.ghs!.length).toBe(t * b * 4 * h);
        expect(saved.cs!.length).toBe(t * b * h);
        let max = 0;
        for (let i = 0; i < hs.length; i++) max = Math.max(max, Math.abs(hs[i] - expected[i]));
        expect(max, `reverse ${reverse}`).toBeLessThan(2e-6);
      }
    });
  }

  it('runs both directions of a GRU or LSTM layer on a worker thread (Node) with results identical to one after the other; stops cleanly', async () => {
    const [t, b, h] = [30, 5, 40];
    const directions = [0, 1].map((d) => ({ proj: values(t * b * 3 * h, 10 + d, 1.2), w: values(h * 3 * h, 20 + d, 0.15), recBias: d === 0 ? values(3 * h, 5, 0.2) : null, reverse: d === 1 })) as Parameters<typeof gruScanForwardPair>[0];
    expect(parallelScansRunning()).toBe(false);
    const sequential = gruScanForwardPair(directions, t, b, h);
    expect(sequential[0]).toEqual(gruScanForward(directions[0].proj, directions[0].w, directions[0].recBias, t, b, h, false, false).hs);
    expect(sequential[1]).toEqual(gruScanForward(directions[1].proj, directions[1].w, null, t, b, h, true, false).hs);
    const lstmDirections = [0, 1].map((d) => ({ proj: values(t * b * 4 * h, 30 + d, 1.2), w: values(h * 4 * h, 40 + d, 0.15), reverse: d === 1 })) as Parameters<typeof lstmScanForwardPair>[0];
    const lstmSequential = lstmScanForwardPair(lstmDirections, t, b, h);
    expect(lstmSequential[1]).toEqual(lstmScanForward(lstmDirections[1].proj, lstmDirections[1].w, t, b, h, true).hs);
    expect(await startParallelScans()).toBe(true);
    try {
      expect(parallelScansRunning()).toBe(true);
      for (let i = 0; i < 3; i++) {
        const both = gruScanForwardPair(directions, t, b, h);
        expect(both[0]).toEqual(sequential[0]);
        expect(both[1]).toEqual(sequential[1]);
        const lstmBoth = lstmScanForwardPair(lstmDirections, t, b, h);
        expect(lstmBoth[0]).toEqual(lstmSequential[0]);
        expect(lstmBoth[1]).toEqual(lstmSequential[1]);
      }
    } finally {
      stopParallelScans();
    }
    expect(parallelScansRunning()).toBe(false);
  });

  it('saturates cleanly: inputs of ±200 give finite states in [-1, 1] equal to the float64 result', () => {
    const [t, b, h] = [6, 3, 9];
    const proj = values(t * b * 3 * h, 1, 200);
    const w = values(h * 3 * h, 2, 50);
    const { hs } = gruScanForward(proj, w, null, t, b, h, false, false);
    const expected = referenceGru(proj, w, null, t, b, h, false);
    for (let i = 0; i < hs.length; i++) {
      expect(Number.isFinite(hs[i])).toBe(true);
      expect(Math.abs(hs[i])).toBeLessThanOrEqual(1);
      expect(Math.abs(hs[i] - expected[i])).toBeLessThan(1e-5);
    }
  });
});

describe('models with and without the scan kernels', () => {
  beforeAll(() => {
    setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: GRU and LSTM RNNs and CRNNs equal the per-step path within 1e-5; no tensor is leaked`, async () => {
      await tf.setBackend(backend);
      expect(tf.getKernel(ADT_GRU_SCAN, backend)).toBeDefined();
      expect(tf.getKernel(ADT_LSTM_SCAN, backend)).toBeDefined();
      const models = (['gru', 'lstm'] as const).flatMap((cell) => [
        createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 20 as any, cell, inputBins: 84 } as any),
        createCRNN({ numLayers: 2, hiddenSize: 72, cell } as any),
      ]);
      const x = tf.tensor4d(values(3 * 37 * 84, 3, 1), [3, 37, 84, 1]);
      for (const model of models) {
        const before = tf.memory().numTensors;
        const scan = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
        expect(tf.memory().numTensors).toBe(before);
        const saved = [ADT_GRU_SCAN, ADT_GRU_SCAN_GRAD, ADT_GRU_SCAN_PAIR, ADT_LSTM_SCAN, ADT_LSTM_SCAN_PAIR].map((name) => tf.getKernel(name, backend)!);
        for (const config of saved) tf.unregisterKernel(config.kernelName, backend);
        let perStep: Float32Array;
        try {
          perStep = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
        } finally {
          for (const config of saved) tf.registerKernel(config);
        }
        let max = 0;
        for (let i = 0; i < scan.length; i++) max = Math.max(max, Math.abs(scan[i] - perStep[i]));
        expect(max).toBeLessThan(1e-5);
        model.dispose();
      }
      x.dispose();
    });
  }
});
