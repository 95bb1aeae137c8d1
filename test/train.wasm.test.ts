import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { enableWasmTraining } from '../src/train/index.js';

type Case = { name: string; x: number[]; f: number[]; strides: [number, number]; pad: 'same' | 'valid' | number };
const cases: Case[] = [
  { name: '3×3 same', x: [2, 9, 7, 3], f: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3×3 valid', x: [1, 8, 8, 2], f: [3, 3, 2, 5], strides: [1, 1], pad: 'valid' },
  { name: '1×3 stride (1, 3) valid (patch embedding)', x: [2, 5, 21, 1], f: [1, 3, 1, 4], strides: [1, 3], pad: 'valid' },
  { name: '3×2 stride 2 same', x: [1, 7, 9, 2], f: [3, 2, 2, 3], strides: [2, 2], pad: 'same' },
  { name: '3×3 explicit pad 1', x: [1, 6, 6, 2], f: [3, 3, 2, 2], strides: [1, 1], pad: 1 },
];

function gradsOn(backend: string, c: Case): { dx: Float32Array; df: Float32Array } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from({ length: c.x.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 0.37)), c.x as [number, number, number, number]);
    const f = tf.tensor4d(Float32Array.from({ length: c.f.reduce((a, b) => a * b) }, (_, i) => Math.cos(i * 0.11)), c.f as [number, number, number, number]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))));
    const [dx, df] = g([x, f]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm training (enableWasmTraining)', () => {
  it('without it, the wasm backend cannot compute a convolution gradient (Conv2DBackpropFilter missing in 4.22)', () => {
    // Only meaningful before the override is registered.
    tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]);
    const f = tf.ones([3, 3, 1, 1]);
    expect(() => tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))(f)).toThrowError(/Conv2DBackpropFilter/);
    tf.dispose([x, f]);
  });

  it('gives the cpu backend\'s conv2d gradients on wasm (rtol 1e-4) for every case', () => {
    enableWasmTraining();
    for (const c of cases) {
      const cpu = gradsOn('cpu', c);
      const wasm = gradsOn('wasm', c);
      for (const [name, a, b] of [['dx', wasm.dx, cpu.dx], ['df', wasm.df, cpu.df]] as const) {
        expect(a.length, `${c.name} ${name}`).toBe(b.length);
        const scale = Math.max(...Array.from(b, Math.abs));
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `${c.name} ${name}[${i}]`).toBeLessThanOrEqual(1e-4 * scale);
      }
    }
  });

  it('leaves the cpu backend\'s gradient path unchanged and leaks nothing', () => {
    enableWasmTraining();
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    gradsOn('wasm', cases[0]);
    tf.setBackend('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });
});
