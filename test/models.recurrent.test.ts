/**
 * Recurrent layers: the fused gate kernels (cpu, wasm) against the composed TF.js-op
 * fallback used on other backends, their gradients against finite differences, and
 * training-mode gradients on wasm against cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { input as tfInput, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateWasmBinaries } from './helpers/wasm.js';
import { AdtBidirectionalRNN, createRNN } from '../src/models/index.js';
import { ADT_GRU_GATES, ADT_LSTM_GATES, gruGates, lstmGates } from '../src/models/rnnKernels.js';
import { maxAbsDiff } from './helpers/fixtures.js';

beforeAll(async () => {
  locateWasmBinaries();
  await tf.setBackend('cpu');
});

/** Runs `fn` with the fused kernel `name` removed from the cpu backend (composed-op fallback). */
function withoutKernel<T>(name: string, fn: () => T): T {
  const config = tf.getKernel(name, 'cpu');
  expect(config, `${name} registered for cpu`).toBeDefined();
  tf.unregisterKernel(name, 'cpu');
  try {
    return fn();
  } finally {
    tf.registerKernel(config!);
  }
}

const B = 3;
const H = 5;

describe('fused gate kernels vs composed ops', () => {
  it('GRU: same h\' and same gradients for pre, gh and h', () => {
    const pre = tf.randomNormal([B, 3 * H]);
    const gh = tf.randomNormal([B, 3 * H]);
    const h = tf.randomNormal([B, H]);
    const w = tf.randomNormal([B, H]);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(gruGates(a, b, c), w));
    const run = () => ({ y: gruGates(pre, gh, h).dataSync(), g: tf.grads(f)([pre, gh, h]).map((t) => t.dataSync()) });
    const fused = run();
    const composed = withoutKernel(ADT_GRU_GATES, run);
    expect(maxAbsDiff(fused.y, composed.y).max).toBeLessThan(1e-6);
    fused.g.forEach((g, i) => expect(maxAbsDiff(g, composed.g[i]).max, `grad ${i}`).toBeLessThan(1e-5));
  });

  it('LSTM: same h\', c\' and same gradients through both outputs', () => {
    const pre = tf.randomNormal([B, 4 * H]);
    const gh = tf.randomNormal([B, 4 * H]);
    const c = tf.randomNormal([B, H]);
    const wh = tf.randomNormal([B, H]);
    const wc = tf.randomNormal([B, H]);
    const f = (a: tf.Tensor, b: tf.Tensor, cc: tf.Tensor) => {
      const [hn, cn] = lstmGates(a, b, cc);
      return tf.add(tf.sum(tf.mul(hn, wh)), tf.sum(tf.mul(cn, wc)));
    };
    const run = () => ({ y: lstmGates(pre, gh, c).map((t) => t.dataSync()), g: tf.grads(f)([pre, gh, c]).map((t) => t.dataSync()) });
    const fused = run();
    const composed = withoutKernel(ADT_LSTM_GATES, run);
    fused.y.forEach((y, i) => expect(maxAbsDiff(y, composed.y[i]).max).toBeLessThan(1e-6));
    fused.g.forEach((g, i) => expect(maxAbsDiff(g, composed.g[i]).max, `grad ${i}`).toBeLessThan(1e-5));
  });
});

describe('AdtBidirectionalRNN gradients', () => {
  for (const cell of ['gru', 'lstm'] as const) {
    it(`${cell}: input gradient matches central finite differences`, () => {
      const inp = tfInput({ shape: [null, 3] });
      const layer = new AdtBidirectionalRNN({ cell, units: 2, numLayers: 2 });
      const m = tfModel({ inputs: inp, outputs: layer.apply(inp) as SymbolicTensor });
      const x = tf.randomNormal([1, 4, 3]);
      const weights = tf.reshape(tf.range(1, 17), [1, 4, 4]);
      const f = (xx: tf.Tensor) => tf.sum(tf.mul(m.apply(xx) as tf.Tensor, weights));
      const g = tf.grad(f)(x).dataSync();
      const xv = x.dataSync();
      const eps = 1e-2;
      for (let i = 0; i < xv.length; i += 2) {
        const plus = Float32Array.from(xv); plus[i] += eps;
        const minus = Float32Array.from(xv); minus[i] -= eps;
        const fd = (f(tf.tensor(plus, x.shape)).dataSync()[0] - f(tf.tensor(minus, x.shape)).dataSync()[0]) / (2 * eps);
        expect(Math.abs(fd - g[i]), `x[${i}]: fd ${fd} vs ${g[i]}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
      }
      m.dispose();
    });
  }

  it('training-mode weight gradients on wasm equal those on cpu (RNN, GRU and LSTM)', async () => {
    for (const cell of ['gru', 'lstm'] as const) {
      await tf.setBackend('cpu');
      const m = createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 6, cell, dropout: 0 });
      const x = tf.randomNormal([2, 23, 84, 1]);
      const loss = () => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
      const names = m.trainableWeights.map((w) => (w.read() as tf.Variable).name);
      const onCpu = tf.variableGrads(loss).grads;
      const cpuValues = names.map((n) => onCpu[n].dataSync().slice());
      await tf.setBackend('wasm');
      const onWasm = tf.variableGrads(loss).grads;
      names.forEach((n, i) => {
        const { max } = maxAbsDiff(onWasm[n].dataSync(), cpuValues[i]);
        expect(max, `${cell} ${n}`).toBeLessThan(1e-4);
      });
      m.dispose();
      await tf.setBackend('cpu');
    }
  });
});
