/**
 * enableWasmTraining() (src/models/wasmKernels.ts): every added or replaced wasm kernel gives
 * the cpu backend's result within 1e-4 relative (max |wasm − cpu| / max |cpu|), on the shapes
 * of adtkit's models (3×3 'same' convolutions on 84 / 28 bins with 1, 32, 64 channels) and on
 * strided, 'valid', explicitly padded and non-square cases; max-pool gradients; tile; matMul with every transpose
 * combination, batched and broadcast. Also: what is missing without it, restoring the
 * original kernels, no leaked tensors or wasm buffers, the typed error without the backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateWasmBinaries } from './helpers/wasm.js';
import { heapKernels, type HeapBackend } from '../src/models/heapKernels.js';
import { relErr } from './helpers/wasmTraining.js';
import { disableWasmTraining, enableWasmTraining, isWasmTrainingEnabled } from '../src/models/index.js';

const RTOL = 1e-4;

type Pad = 'same' | 'valid' | number;
interface ConvCase { name: string; x: [number, number, number, number]; f: [number, number, number, number]; strides: [number, number]; pad: Pad }
const convCases: ConvCase[] = [
  { name: 'block 1 conv 1: 3×3 same, 1 → 32 ch, 84 bins', x: [2, 12, 84, 1], f: [3, 3, 1, 32], strides: [1, 1], pad: 'same' },
  { name: 'block 1 conv 2: 3×3 same, 32 → 32 ch, 84 bins', x: [1, 6, 84, 32], f: [3, 3, 32, 32], strides: [1, 1], pad: 'same' },
  // One input channel, 3×3, stride 1, outputs a multiple of 4: the WebAssembly SIMD filter gradient.
  { name: '1 → 32 ch 3×3 same over 4 × 200 frames (SIMD filter gradient, f64 row sums)', x: [4, 200, 84, 1], f: [3, 3, 1, 32], strides: [1, 1], pad: 'same' },
  { name: '1 → 8 ch 3×3 valid (SIMD)', x: [2, 9, 10, 1], f: [3, 3, 1, 8], strides: [1, 1], pad: 'valid' },
  { name: '1 → 4 ch 3×3 explicit pad 2 (SIMD)', x: [1, 6, 7, 1], f: [3, 3, 1, 4], strides: [1, 1], pad: 2 },
  { name: '1 → 6 ch 3×3 same (outputs not a multiple of 4: XNNPACK product)', x: [2, 6, 9, 1], f: [3, 3, 1, 6], strides: [1, 1], pad: 'same' },
  { name: 'block 2 conv 1: 3×3 same, 32 → 64 ch, 28 bins', x: [2, 5, 28, 32], f: [3, 3, 32, 64], strides: [1, 1], pad: 'same' },
  { name: 'block 2 conv 2: 3×3 same, 64 → 64 ch, 28 bins', x: [1, 6, 28, 64], f: [3, 3, 64, 64], strides: [1, 1], pad: 'same' },
  { name: '5×5 same, 64 → 1 ch, 70 frames (filter gradient in two row chunks of its 32 MiB im2col)', x: [1, 70, 84, 64], f: [5, 5, 64, 1], strides: [1, 1], pad: 'same' },
  { name: '3×3 valid', x: [1, 8, 8, 2], f: [3, 3, 2, 5], strides: [1, 1], pad: 'valid' },
  { name: '2×4 same (even kernel, asymmetric padding)', x: [2, 7, 9, 3], f: [2, 4, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3×3 explicit pad 2', x: [1, 6, 6, 2], f: [3, 3, 2, 2], strides: [1, 1], pad: 2 },
  { name: 'patch embedding 1×7 stride (1, 7) valid', x: [2, 5, 84, 1], f: [1, 7, 1, 4], strides: [1, 7], pad: 'valid' },
  { name: '3×2 stride 2 same', x: [1, 7, 9, 2], f: [3, 2, 2, 3], strides: [2, 2], pad: 'same' },
  { name: '3×3 stride (2, 1) valid', x: [2, 9, 8, 3], f: [3, 3, 3, 2], strides: [2, 1], pad: 'valid' },
];

/** Seeded values in [-1, 1) (no Math.random: identical on both backends). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** dx, df of Σ r ⊙ conv2d(x, f) (r random, so dy is random) on `backend`. */
function convGrads(backend: string, c: ConvCase): { dx: Float32Array; df: Float32Array } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(size(c.x), 1), c.x);
    const f = tf.tensor4d(values(size(c.f), 2), c.f);
    const outShape = tf.conv2d(x, f, c.strides, c.pad).shape;
    const r = tf.tensor(values(size(outShape), 3), outShape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)));
    const [dx, df] = g([x, f]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

interface MatMulCase { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }
const matMulCases: MatMulCase[] = [
  { name: 'A·B (unchanged path)', a: [64, 96], b: [96, 80], ta: false, tb: false },
  { name: 'Aᵀ·B (dense weight gradient)', a: [300, 64], b: [300, 72], ta: true, tb: false },
  { name: 'Aᵀ·B with a narrow B: computed as (Bᵀ·A)ᵀ', a: [400, 96], b: [400, 24], ta: true, tb: false },
  { name: 'A·Bᵀ (dense input gradient)', a: [300, 72], b: [64, 72], ta: false, tb: true },
  { name: 'Aᵀ·Bᵀ', a: [50, 70], b: [90, 50], ta: true, tb: true },
  { name: 'batched q·kᵀ [6, 40, 12] × [6, 40, 12]ᵀ', a: [6, 40, 12], b: [6, 40, 12], ta: false, tb: true },
  { name: 'batched p·v [2, 3, 40, 40] × [2, 3, 40, 12]', a: [2, 3, 40, 40], b: [2, 3, 40, 12], ta: false, tb: false },
  { name: 'batched Aᵀ·B [4, 40, 30]', a: [4, 40, 30], b: [4, 40, 20], ta: true, tb: false },
  { name: 'broadcast [5, 30, 40] × [40, 50]', a: [5, 30, 40], b: [40, 50], ta: false, tb: false },
  { name: 'broadcast [30, 40]ᵀ × [3, 30, 50]', a: [30, 40], b: [3, 30, 50], ta: true, tb: false },
  { name: 'small (original kernel) [8, 12]ᵀ × [8, 6]', a: [8, 12], b: [8, 6], ta: true, tb: false },
];

function matMulOn(backend: string, c: MatMulCase): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => tf.matMul(tf.tensor(values(size(c.a), 4), c.a), tf.tensor(values(size(c.b), 5), c.b), c.ta, c.tb).dataSync() as Float32Array);
}

function fusedOn(backend: string, ta: boolean, tb: boolean): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(values(60 * 70, 6), ta ? [70, 60] : [60, 70]) as tf.Tensor2D;
    const b = tf.tensor(values(70 * 80, 7), tb ? [80, 70] : [70, 80]) as tf.Tensor2D;
    const bias = tf.tensor1d(values(80, 8));
    return tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' }).dataSync() as Float32Array;
  });
}

interface PoolCase { name: string; x: [number, number, number, number]; size: [number, number]; strides: [number, number]; pad: 'same' | 'valid'; offset: number; relu?: boolean }
const poolCases: PoolCase[] = [
  { name: 'conv block pool (1, 3) on 84 bins, mixed signs', x: [2, 6, 84, 32], size: [1, 3], strides: [1, 3], pad: 'valid', offset: 0 },
  { name: 'conv block pool (1, 3) on 28 bins (floor: bin 27 unused), all negative', x: [2, 5, 28, 64], size: [1, 3], strides: [1, 3], pad: 'valid', offset: -2 },
  { name: '2×2 stride 2 same, odd sizes', x: [1, 7, 9, 3], size: [2, 2], strides: [2, 2], pad: 'same', offset: -0.5 },
  { name: '3×3 stride 1 same (overlapping windows)', x: [1, 6, 6, 2], size: [3, 3], strides: [1, 1], pad: 'same', offset: 0 },
  // Channels a multiple of 4 take the WebAssembly SIMD kernel; ReLU'd inputs have tied zeros (first maximum wins).
  { name: '3×3 stride 2 same, overlapping, 8 channels, ReLU ties', x: [2, 7, 9, 8], size: [3, 3], strides: [2, 2], pad: 'same', offset: -0.3, relu: true },
  { name: 'conv block pool (1, 3) after ReLU, ties of zeros', x: [2, 6, 84, 32], size: [1, 3], strides: [1, 3], pad: 'valid', offset: -0.4, relu: true },
];

/** dx of Σ r ⊙ maxPool(x) on `backend`. */
function poolGrad(backend: string, c: PoolCase): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const shifted = tf.add(tf.tensor4d(values(size(c.x), 9), c.x), c.offset) as tf.Tensor4D;
    const x = c.relu ? tf.relu(shifted) : shifted;
    const outShape = tf.maxPool(x, c.size, c.strides, c.pad).shape;
    const r = tf.tensor(values(size(outShape), 10), outShape);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), r)))(x).dataSync() as Float32Array;
  });
}

function wasmBuffers(): number {
  return (tf.engine().backend as unknown as { numDataIds(): number }).numDataIds();
}

beforeAll(async () => {
  locateWasmBinaries();
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(async () => {
  disableWasmTraining();
  await tf.setBackend('cpu');
});

describe('wasm kernels for training', () => {
  it('the WebAssembly SIMD heap kernels instantiate on the (unshared) wasm heap, so the SIMD paths below are the ones tested', () => {
    const kernels = heapKernels(tf.backend() as unknown as HeapBackend);
    expect(kernels).not.toBeNull();
    expect(kernels!.memory.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('without enableWasmTraining the wasm backend lacks exactly Conv2DBackpropFilter among the conv/matMul gradient kernels', () => {
    disableWasmTraining();
    const names = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', '_FusedMatMul', 'FusedBatchNorm', 'Erf', 'Softmax'];
    expect(names.filter((k) => tf.getKernel(k, 'wasm') === undefined)).toEqual(['Conv2DBackpropFilter']);
    tf.setBackend('wasm');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    expect(() => tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x, b as tf.Tensor4D, 1, 'same')))(f)).toThrowError(/Conv2DBackpropFilter/);
    tf.dispose([x, f]);
  });

  it('enable adds Conv2DBackpropFilter, replaces twelve kernels and three gradients, is idempotent, and disable restores the originals', () => {
    const originalMatMul = tf.getKernel('BatchMatMul', 'wasm');
    const originalMeanGrad = tf.getGradient('Mean');
    const r = enableWasmTraining();
    expect(r).toEqual({
      added: ['Conv2DBackpropFilter'],
      replaced: ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Tile', 'BatchMatMul', '_FusedMatMul', 'Sum', 'Mean', 'FusedBatchNorm', 'Identity', 'Erf'],
      gradients: ['FusedBatchNorm', 'Sum', 'Mean'],
    });
    expect(tf.getGradient('Mean')).not.toBe(originalMeanGrad);
    expect(enableWasmTraining()).toEqual(r);
    expect(isWasmTrainingEnabled()).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(originalMatMul);
    expect(tf.getKernel('BatchMatMul', 'cpu').kernelFunc).not.toBe(tf.getKernel('BatchMatMul', 'wasm').kernelFunc);
    disableWasmTraining();
    expect(isWasmTrainingEnabled()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(originalMatMul);
    expect(tf.getGradient('Mean')).toBe(originalMeanGrad);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    enableWasmTraining();
  });

  for (const c of convCases) {
    it(`conv2d gradients match cpu within ${RTOL} relative: ${c.name}`, () => {
      enableWasmTraining();
      const cpu = convGrads('cpu', c);
      const wasm = convGrads('wasm', c);
      const errX = relErr(wasm.dx, cpu.dx);
      const errF = relErr(wasm.df, cpu.df);
      console.log(`[wasm conv] ${c.name}: dx rel ${errX.toExponential(2)}, dW rel ${errF.toExponential(2)}`);
      expect(errX).toBeLessThanOrEqual(RTOL);
      expect(errF).toBeLessThanOrEqual(RTOL);
    });
  }

  for (const c of matMulCases) {
    it(`matMul matches cpu within ${RTOL} relative: ${c.name}`, () => {
      enableWasmTraining();
      const want = matMulOn('cpu', c);
      const got = matMulOn('wasm', c);
      expect(relErr(got, want)).toBeLessThanOrEqual(RTOL);
      tf.setBackend('wasm');
      const shape = tf.tidy(() => tf.matMul(tf.ones(c.a), tf.ones(c.b), c.ta, c.tb).shape);
      tf.setBackend('cpu');
      expect(shape).toEqual(tf.tidy(() => tf.matMul(tf.ones(c.a), tf.ones(c.b), c.ta, c.tb).shape));
    });
  }

  it('the stock wasm MaxPoolGrad (TF.js 4.22) drops the gradient of all-negative windows (why it is replaced)', () => {
    disableWasmTraining();
    const stock = poolGrad('wasm', poolCases[1]);
    enableWasmTraining();
    expect(relErr(stock, poolGrad('cpu', poolCases[1]))).toBeGreaterThan(0.5);
  });

  for (const c of poolCases) {
    it(`maxPool gradient matches cpu: ${c.name}`, () => {
      enableWasmTraining();
      expect(relErr(poolGrad('wasm', c), poolGrad('cpu', c))).toBeLessThanOrEqual(RTOL);
    });
  }

  it('tile matches cpu (float32 any rank; int32 and bool through the original kernel)', () => {
    enableWasmTraining();
    const cases: Array<{ shape: number[]; reps: number[]; dtype?: 'int32' | 'bool' }> = [
      { shape: [1, 1, 1, 32], reps: [8, 40, 84, 1] },
      { shape: [2, 3, 1, 5], reps: [2, 1, 4, 3] },
      { shape: [7], reps: [5] },
      { shape: [3, 4], reps: [1, 1] },
      { shape: [2, 1, 3, 1, 2], reps: [1, 3, 2, 4, 1] },
      { shape: [2, 3], reps: [0, 2] },
      { shape: [2, 3], reps: [3, 2], dtype: 'int32' },
      { shape: [2, 3], reps: [2, 2], dtype: 'bool' },
    ];
    for (const c of cases) {
      const on = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() => {
          const v = values(size(c.shape), 11);
          const x = c.dtype === undefined ? tf.tensor(v, c.shape)
            : c.dtype === 'int32' ? tf.tensor(Int32Array.from(v, (a) => Math.round(a * 5)), c.shape, 'int32')
              : tf.tensor(Array.from(v, (a) => a > 0), c.shape, 'bool');
          const y = tf.tile(x, c.reps);
          return { shape: y.shape, data: Array.from(y.dataSync()) };
        });
      };
      const want = on('cpu');
      expect(on('wasm'), `tile ${c.shape} by ${c.reps}`).toEqual(want);
    }
  });

  it(`sum and mean match cpu within ${RTOL} relative (leading axes in one pass; other reductions through the original kernel)`, () => {
    enableWasmTraining();
    const cases: Array<{ shape: number[]; axis: number[] | number; keepDims: boolean; dtype?: 'int32' }> = [
      { shape: [8, 40, 84, 32], axis: [0, 1, 2], keepDims: false },
      { shape: [8, 40, 84, 32], axis: [0, 1, 2], keepDims: true },
      { shape: [8, 40, 28, 64], axis: [2, 0, 1], keepDims: true },
      { shape: [16, 50, 40], axis: [0], keepDims: false },
      { shape: [16, 50, 40], axis: [0, 1], keepDims: false },
      { shape: [8, 40, 84, 32], axis: [1, 2], keepDims: false },
      { shape: [8, 40, 84, 32], axis: -1, keepDims: false },
      { shape: [40, 84, 32], axis: [0, 1, 2], keepDims: false },
      { shape: [3, 5], axis: [0], keepDims: false },
      // Columns not a multiple of 4: the JS loop instead of the WebAssembly SIMD pass.
      { shape: [60, 50, 7], axis: [0, 1], keepDims: false },
      { shape: [64, 300], axis: [0], keepDims: true, dtype: 'int32' },
    ];
    for (const c of cases) {
      for (const op of ['sum', 'mean'] as const) {
        const on = (backend: string) => {
          tf.setBackend(backend);
          return tf.tidy(() => {
            const v = values(size(c.shape), 12);
            const x = c.dtype === 'int32' ? tf.tensor(Int32Array.from(v, (a) => Math.round(a * 50)), c.shape, 'int32') : tf.tensor(v, c.shape);
            const y = op === 'sum' ? tf.sum(x, c.axis, c.keepDims) : tf.mean(x, c.axis, c.keepDims);
            return { shape: y.shape, dtype: y.dtype, data: y.dataSync() as Float32Array };
          });
        };
        const want = on('cpu');
        const got = on('wasm');
        const label = `${op} of ${c.shape} over ${String(c.axis)} keepDims ${c.keepDims} ${c.dtype ?? 'float32'}`;
        expect(got.shape, label).toEqual(want.shape);
        expect(got.dtype, label).toBe(want.dtype);
        expect(relErr(got.data, want.data), label).toBeLessThanOrEqual(RTOL);
      }
    }
  });

  it('erf (WebAssembly SIMD, any length) is within 5e-7 of the cpu backend (float32 vs float64 arithmetic of the same formula), odd, and saturates at ±1', () => {
    enableWasmTraining();
    for (const n of [3, 4, 1001]) {
      const data = Float32Array.from({ length: n }, (_, i) => (n === 3 ? [0, -1e-30, 9][i] : -6 + (12 * i) / (n - 1)));
      const on = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() => tf.erf(tf.tensor(data)).dataSync() as Float32Array);
      };
      const want = on('cpu');
      const got = on('wasm');
      for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i]), `erf(${data[i]})`).toBeLessThan(5e-7);
      if (n === 1001) {
        for (let i = 0; i < n; i++) expect(got[n - 1 - i] + got[i]).toBe(0);
        expect(got[0]).toBe(-1);
        expect(got[n - 1]).toBe(1);
      }
    }
  });

  it('sum and mean gradients (one broadcast on wasm) equal the cpu backend exactly', () => {
    enableWasmTraining();
    const cases: Array<{ shape: number[]; axis: number[] | number; keepDims: boolean }> = [
      { shape: [8, 40, 84, 32], axis: [0, 1, 2], keepDims: true },
      { shape: [8, 40, 84, 32], axis: [0, 1, 2], keepDims: false },
      { shape: [16, 50, 40], axis: [2, 0], keepDims: false },
      { shape: [8, 40, 84, 32], axis: -1, keepDims: false },
      { shape: [3, 5], axis: [0], keepDims: false },
    ];
    for (const c of cases) {
      for (const op of ['sum', 'mean'] as const) {
        const on = (backend: string) => {
          tf.setBackend(backend);
          return tf.tidy(() => {
            const x = tf.tensor(values(size(c.shape), 3), c.shape);
            const f = (t: tf.Tensor) => {
              const y = op === 'sum' ? tf.sum(t, c.axis, c.keepDims) : tf.mean(t, c.axis, c.keepDims);
              return tf.sum(tf.mul(y, tf.tensor(values(y.size, 5), y.shape)));
            };
            return tf.grad(f)(x).dataSync() as Float32Array;
          });
        };
        const want = on('cpu');
        const got = on('wasm');
        expect(Array.from(got), `${op} gradient over ${String(c.axis)} of ${c.shape}`).toEqual(Array.from(want));
      }
    }
  });

  it(`batchNorm matches cpu within ${RTOL} relative (per-channel and scalar parameters; others through the original kernel)`, () => {
    enableWasmTraining();
    const C = 32;
    const cases: Array<{ name: string; x: number[]; param: number[]; offset: boolean; scale: boolean }> = [
      { name: 'NHWC activation, [C] parameters', x: [4, 40, 84, C], param: [C], offset: true, scale: true },
      { name: '[1, 1, 1, C] parameters', x: [4, 40, 84, C], param: [1, 1, 1, C], offset: true, scale: true },
      { name: 'no offset, no scale', x: [4, 40, 84, C], param: [C], offset: false, scale: false },
      { name: 'scalar parameters', x: [2, 30, 28, 64], param: [1], offset: true, scale: true },
      { name: '6 channels (JS loop, not SIMD)', x: [4, 40, 84, 6], param: [6], offset: true, scale: true },
      { name: '[frames, C] parameters (original kernel)', x: [2, 40, 28, C], param: [28, C], offset: true, scale: true },
      { name: 'small input (original kernel)', x: [2, 3, C], param: [C], offset: true, scale: true },
    ];
    for (const c of cases) {
      const on = (backend: string) => {
        tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(values(size(c.x), 13), c.x);
          const p = (seed: number, positive = false) => {
            const v = values(size(c.param), seed);
            return tf.tensor(positive ? v.map((a) => 0.5 + Math.abs(a)) : v, c.param);
          };
          const y = tf.batchNorm(x, p(14), p(15, true), c.offset ? p(16) : undefined, c.scale ? p(17) : undefined, 1e-5);
          return y.dataSync() as Float32Array;
        });
      };
      expect(relErr(on('wasm'), on('cpu')), c.name).toBeLessThanOrEqual(RTOL);
    }
  });

  it(`batchNorm gradients in training mode (batch moments) match cpu within ${RTOL} relative; restored by disable`, async () => {
    const cases: Array<{ name: string; x: number[] }> = [
      { name: 'NHWC [4, 30, 84, 32]', x: [4, 30, 84, 32] },
      { name: 'NHWC [2, 20, 28, 64]', x: [2, 20, 28, 64] },
      { name: 'NHWC [2, 20, 28, 6] (JS loop, not SIMD)', x: [2, 20, 28, 6] },
      { name: '[16, 40] (dense)', x: [16, 40] },
    ];
    const grads = (backend: string, c: (typeof cases)[number]) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const C = c.x[c.x.length - 1];
        const x = tf.tensor(values(size(c.x), 21), c.x);
        const r = tf.tensor(values(size(c.x), 22), c.x);
        const scale = tf.add(tf.tensor1d(values(C, 23)), 1.5);
        const offset = tf.tensor1d(values(C, 24));
        const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, c.x.map((_, i) => i).slice(0, -1));
          return tf.sum(tf.mul(r, tf.batchNorm(a, mean, variance, b, g, 1e-3)));
        };
        return tf.grads(f)([x, scale, offset]).map((t) => t.dataSync() as Float32Array);
      });
    };
    enableWasmTraining();
    for (const c of cases) {
      const want = grads('cpu', c);
      const got = grads('wasm', c);
      ['dx', 'dscale', 'doffset'].forEach((label, i) => expect(relErr(got[i], want[i]), `${c.name}: ${label}`).toBeLessThanOrEqual(RTOL));
    }
    // No leak; disable restores TF.js's gradient, with the same values. (TF.js cannot take the
    // gradient of a batchNorm without scale on any backend: it saves the missing input.)
    const kernelsOf = async () => {
      tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => {
        grads('wasm', cases[1]);
      });
      expect(tf.memory().numTensors).toBe(before);
      return info.kernelNames;
    };
    expect(await kernelsOf()).toContain('AdtFusedBatchNormGrad');
    disableWasmTraining();
    expect(tf.getKernel('AdtFusedBatchNormGrad', 'wasm')).toBeUndefined();
    expect(await kernelsOf()).not.toContain('AdtFusedBatchNormGrad');
    const stock = grads('wasm', cases[0]);
    enableWasmTraining();
    const fast = grads('wasm', cases[0]);
    expect(relErr(fast[0], stock[0])).toBeLessThanOrEqual(RTOL);
  });

  it('fused matMul with bias and relu matches cpu for every transpose combination', () => {
    enableWasmTraining();
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      expect(relErr(fusedOn('wasm', ta, tb), fusedOn('cpu', ta, tb)), `transposeA=${ta} transposeB=${tb}`).toBeLessThanOrEqual(RTOL);
    }
  });

  it('the replaced kernels agree with the originals they replace (wasm vs wasm)', () => {
    const c = convCases[1];
    const dxOnWasm = () =>
      tf.tidy(() => {
        tf.setBackend('wasm');
        const x = tf.tensor4d(values(size(c.x), 1), c.x);
        const f = tf.tensor4d(values(size(c.f), 2), c.f);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, f, 1, 'same'))))(x).dataSync();
      });
    disableWasmTraining();
    const stockDx = dxOnWasm();
    const stockMm = matMulOn('wasm', matMulCases[1]);
    enableWasmTraining();
    const newDx = dxOnWasm();
    expect(relErr(newDx, stockDx)).toBeLessThanOrEqual(RTOL);
    expect(relErr(matMulOn('wasm', matMulCases[1]), stockMm)).toBeLessThanOrEqual(RTOL);
  });

  it('throws BackendError (BACKEND_UNAVAILABLE) when the wasm kernels are not registered', () => {
    disableWasmTraining();
    const transpose = tf.getKernel('Transpose', 'wasm');
    tf.unregisterKernel('Transpose', 'wasm');
    try {
      expect(() => enableWasmTraining()).toThrow(expect.objectContaining({ code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/Transpose.*tfjs-backend-wasm/) }));
      expect(isWasmTrainingEnabled()).toBe(false);
    } finally {
      tf.registerKernel(transpose);
    }
    enableWasmTraining();
  });

  it('leaks neither tensors nor wasm buffers', () => {
    enableWasmTraining();
    tf.setBackend('wasm');
    convGrads('wasm', convCases[2]);
    matMulOn('wasm', matMulCases[4]);
    const tensors = tf.memory().numTensors;
    const buffers = wasmBuffers();
    for (const c of [convCases[2], convCases[8]]) convGrads('wasm', c);
    for (const c of matMulCases) matMulOn('wasm', c);
    fusedOn('wasm', true, true);
    poolGrad('wasm', poolCases[0]);
    tf.tidy(() => tf.tile(tf.ones([1, 1, 3, 4]), [2, 5, 1, 2]).dataSync());
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmBuffers()).toBe(buffers);
  });
});
