// Bundled for headless Chromium by test/wasmBrowser.test.ts: adtkit's wasm kernels
// (enableWasmTraining: Winograd convolutions and their gradients, and the rest) in a browser's
// single-threaded wasm backend, against the cpu backend on the same page.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createCRNN, enableWasmTraining } from '../src/models/index.js';
import { winogradCallCount } from '../src/models/winogradConv.js';

export interface BrowserWasmSummary {
  backend: string;
  winogradCalls: number;
  convRelErr: number;
  gradRelErr: number;
  crnnRelErr: number;
  leakedTensors: number;
}

function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return scale * (s / 2 ** 31 - 1);
  });
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return a.length === b.length ? d / Math.max(m, 1e-30) : Infinity;
}

(globalThis as any).runWasmKernels = async (): Promise<BrowserWasmSummary> => {
  setWasmPaths('/wasm/');
  enableWasmTraining();
  const conv = () => tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 20 * 28 * 32, 1), [2, 20, 28, 32]);
    const f = tf.tensor4d(values(9 * 32 * 64, 2, 0.2), [3, 3, 32, 64]);
    return Array.from(tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', activation: 'relu' }).dataSync());
  });
  const grad = () => tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 20 * 28 * 32, 3), [2, 20, 28, 32]);
    const f = tf.tensor4d(values(9 * 32 * 64, 4, 0.2), [3, 3, 32, 64]);
    const g = tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))))(f);
    return Array.from(g.dataSync());
  });
  await tf.setBackend('cpu');
  const model = createCRNN({ numLayers: 2, hiddenSize: 72, cell: 'gru' });
  const input = values(2 * 60 * 84, 5);
  const crnn = () => tf.tidy(() => Array.from((model.predict(tf.tensor4d(input, [2, 60, 84, 1])) as tf.Tensor).dataSync()));
  const ref = { conv: conv(), grad: grad(), crnn: crnn() };
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const calls = winogradCallCount();
  const got = { conv: conv(), grad: grad(), crnn: crnn() };
  return {
    backend: tf.getBackend(),
    winogradCalls: winogradCallCount() - calls,
    convRelErr: relErr(got.conv, ref.conv),
    gradRelErr: relErr(got.grad, ref.grad),
    crnnRelErr: relErr(got.crnn, ref.crnn),
    leakedTensors: tf.memory().numTensors - before,
  };
};
