/**
 * Winograd convolutions on the wasm backend (src/models/winogradConv.ts, wasm/winograd.wat, the
 * Conv2D / FusedConv2D replacements of enableWasmTraining: F(4×4, 3×3) forward and input
 * gradient, F(2×2, 3×3) filter gradient): equal to the cpu backend's direct convolution within
 * 1e-5 relative (F(4×4) transforms have factors up to 8) for every qualifying shape (odd sizes,
 * bias, ReLU), the XNNPACK path kept for everything else, no leaked tensors or heap bytes, and
 * the committed .wat / binary equal to their generator / compiled source.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableWasmTraining, enableWasmTraining } from '../src/models/index.js';
import { transformFilter3x3, transformFilter43, winogradCallCount } from '../src/models/winogradConv.js';
import { locateWasmBinaries } from './helpers/wasm.js';
import { relErr } from './helpers/wasmTraining.js';
// @ts-expect-error: plain ESM build script without types
import { binaryModuleSource, compileWat } from '../scripts/build-wasm.mjs';

const watPath = join(import.meta.dirname, '..', 'src', 'models', 'wasm', 'winograd.wat');
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPython) console.warn('winograd.test.ts: python3 not found, skipping the generator check');

function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return scale * (s / 2 ** 31 - 1);
  });
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Case { x: [number, number, number, number]; co: number; bias: boolean; activation: 'linear' | 'relu' | 'none' }

/** fused.conv2d (or plain conv2d for activation 'none') on `backend`. */
function convOn(backend: string, c: Case): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(size(c.x), 1), c.x);
    const f = tf.tensor4d(values(9 * c.x[3] * c.co, 2, 0.2), [3, 3, c.x[3], c.co]);
    const bias = c.bias ? tf.tensor1d(values(c.co, 3)) : undefined;
    const y = c.activation === 'none' ? tf.conv2d(x, f, 1, 'same') : tf.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', bias, activation: c.activation });
    return y.dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  locateWasmBinaries();
  enableWasmTraining();
  await tf.setBackend('wasm');
});
afterAll(() => {
  disableWasmTraining();
  tf.setBackend('cpu');
});

describe('Winograd 3×3 convolution on wasm', () => {
  it('the committed binary is the compiled .wat, and the .wat is the generator\'s output', async () => {
    const bytes: Buffer = await compileWat(watPath);
    const shared: Buffer = await compileWat(watPath, { shared: true });
    expect(readFileSync(join(dirname(watPath), 'winogradBinary.ts'), 'utf8')).toBe(binaryModuleSource('winograd', bytes, shared));
    if (hasPython) {
      const dir = mkdtempSync(join(tmpdir(), 'adtkit-wino-'));
      try {
        execFileSync('python3', [join(import.meta.dirname, '..', 'scripts', 'gen-winograd-wat.py'), join(dir, 'w.wat')]);
        expect(readFileSync(join(dir, 'w.wat'), 'utf8')).toBe(readFileSync(watPath, 'utf8'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('transforms a filter like G g Gᵀ (a tap filter gives the rows of G ⊗ G)', () => {
    // g = unit tap at (1, 1): U[a, b] = G[a][1] · G[b][1].
    const g = new Float32Array(9);
    g[4] = 1;
    const u = transformFilter3x3(g, 1, 1);
    const g1 = [0, 0.5, -0.5, 0];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) expect(u[a * 4 + b]).toBeCloseTo(g1[a] * g1[b], 12);
  });

  it('transforms a filter for F(4×4, 3×3) like G g Gᵀ (a tap filter gives the rows of G ⊗ G)', () => {
    const g = new Float32Array(9);
    g[4] = 1;
    const u = transformFilter43(g, 1, 1);
    const g1 = [0, -1 / 6, 1 / 6, 1 / 12, -1 / 12, 0];
    for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) expect(u[a * 6 + b]).toBeCloseTo(g1[a] * g1[b], 7);
  });

  const cases: Case[] = [
    { x: [1, 40, 84, 32], co: 32, bias: false, activation: 'relu' }, // the CRNN's block-1 conv 2
    { x: [2, 17, 28, 32], co: 64, bias: true, activation: 'relu' }, // odd height
    { x: [1, 12, 29, 64], co: 64, bias: true, activation: 'linear' }, // odd width, width not 8k
    { x: [3, 5, 9, 64], co: 64, bias: false, activation: 'none' }, // plain Conv2D, odd both
    { x: [1, 2, 600, 16], co: 8, bias: true, activation: 'relu' }, // one tile row
    { x: [8, 33, 6, 8], co: 16, bias: false, activation: 'linear' }, // narrow: one 4-tile block
  ];
  for (const c of cases) {
    it(`equals the cpu backend's convolution: x ${c.x.join('×')}, ${c.co} outputs, bias ${c.bias}, ${c.activation}`, () => {
      const before = winogradCallCount();
      const wasm = convOn('wasm', c);
      expect(winogradCallCount()).toBe(before + 1);
      const cpu = convOn('cpu', c);
      expect(relErr(wasm, cpu)).toBeLessThan(1e-5);
      if (c.activation === 'relu') expect(wasm.every((v) => v >= 0)).toBe(true);
    });
  }

  it('computes the input and filter gradients of a 3×3 same convolution by Winograd too, equal to cpu', () => {
    const grads = (backend: string): Float32Array[] => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 20 * 28 * 32, 7), [2, 20, 28, 32]);
        const f = tf.tensor4d(values(9 * 32 * 64, 8, 0.2), [3, 3, 32, 64]);
        const r = tf.tensor4d(values(2 * 20 * 28 * 64, 9), [2, 20, 28, 64]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), r)));
        return g([x, f]).map((t) => t.dataSync() as Float32Array);
      });
    };
    const before = winogradCallCount();
    const [dxWasm, dfWasm] = grads('wasm');
    // Forward, input gradient and filter gradient.
    expect(winogradCallCount()).toBe(before + 3);
    const [dxCpu, dfCpu] = grads('cpu');
    expect(relErr(dxWasm, dxCpu)).toBeLessThan(1e-5);
    expect(relErr(dfWasm, dfCpu)).toBeLessThan(2e-6);
    tf.setBackend('wasm');
  });

  it('keeps XNNPACK for other convolutions (same values as with enableWasmTraining off)', () => {
    const others: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; strides: number; pad: 'same' | 'valid'; dilation?: number }> = [
      { x: [1, 40, 84, 1], f: [3, 3, 1, 32], strides: 1, pad: 'same' }, // one input channel
      { x: [1, 40, 84, 32], f: [5, 5, 32, 32], strides: 1, pad: 'same' },
      { x: [1, 40, 84, 32], f: [3, 3, 32, 32], strides: 2, pad: 'same' },
      { x: [1, 40, 84, 32], f: [3, 3, 32, 32], strides: 1, pad: 'valid' },
      { x: [1, 40, 84, 32], f: [3, 3, 32, 32], strides: 1, pad: 'same', dilation: 2 },
      { x: [1, 40, 84, 32], f: [3, 3, 32, 12], strides: 1, pad: 'same' }, // 12 outputs
      { x: [1, 4, 4, 8], f: [3, 3, 8, 8], strides: 1, pad: 'same' }, // too small to pay
    ];
    for (const o of others) {
      const run = () => tf.tidy(() => tf.conv2d(tf.tensor4d(values(size(o.x), 5), o.x), tf.tensor4d(values(size(o.f), 6), o.f), o.strides, o.pad, 'NHWC', o.dilation ?? 1).dataSync());
      const before = winogradCallCount();
      const replaced = run();
      expect(winogradCallCount()).toBe(before);
      disableWasmTraining();
      const stock = run();
      enableWasmTraining();
      expect(replaced).toEqual(stock);
    }
  });

  it('leaks no tensors and no heap bytes, and repeated calls give identical results', () => {
    const c: Case = { x: [1, 24, 84, 32], co: 32, bias: true, activation: 'relu' };
    const first = convOn('wasm', c);
    const before = tf.memory();
    for (let i = 0; i < 3; i++) expect(convOn('wasm', c)).toEqual(first);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
