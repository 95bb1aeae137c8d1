/**
 * enableWasmThreads (issue 6): the threaded wasm backend in Node gives the reference logits of
 * every models.json case, equals the single-threaded backend, trains (adtkit's wasm training
 * kernels on top), leaks no tensors, rejects bad calls with BackendError, and lets Node exit.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateWasmBinaries } from './helpers/wasm.js';
import { heapKernels, type HeapBackend } from '../src/models/heapKernels.js';
import { parallelScansRunning, startParallelScans, stopParallelScans } from '../src/models/gruScan.js';
import { relErr } from './helpers/wasmTraining.js';
import { startParallelWinograd, stopParallelWinograd, winogradCallCount, winogradWorker } from '../src/models/winogradConv.js';
import {
  createCRNN,
  disableWasmThreads,
  enableWasmThreads,
  enableWasmTraining,
  importTorchWeights,
  isThreadedWasmBackend,
  wasmThreadsCount,
} from '../src/models/index.js';
import { fixturePath, loadArray, maxAbsDiff } from './helpers/fixtures.js';
import { expectAdtError } from './helpers/errors.js';
import { buildCaseModel, fixtureInput, modelsManifest } from './helpers/modelCases.js';

locateWasmBinaries();
const manifest = modelsManifest();
const LOGIT_ATOL = 1e-4;
/** Threaded vs single-threaded wasm: same kernels, XNNPACK splits the work by output tiles. */
const THREADS_ATOL = 1e-5;
const THREADS = 2;

/** Logits of every case on the current backend (weights imported from the fixtures). */
async function allLogits(): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  const x = fixtureInput(manifest);
  for (const c of manifest.cases) {
    const model = buildCaseModel(c);
    importTorchWeights(model, new Uint8Array(readFileSync(fixturePath(c.weights))));
    const y = model.predict(x) as tf.Tensor;
    out.set(c.name, (await y.data()) as Float32Array);
    y.dispose();
    model.dispose();
  }
  x.dispose();
  return out;
}

describe('enableWasmThreads', () => {
  let threaded: Map<string, Float32Array>;

  beforeAll(async () => {
    enableWasmTraining();
    enableWasmThreads({ threads: THREADS });
    expect(await tf.setBackend('wasm')).toBe(true);
    threaded = await allLogits();
  });

  afterAll(async () => {
    disableWasmThreads();
    await tf.setBackend('cpu');
  });

  it(`starts a pool of ${THREADS} threads`, () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(isThreadedWasmBackend(tf.backend())).toBe(true);
    expect(wasmThreadsCount()).toBe(THREADS);
  });

  it('runs the two directions of bidirectional GRU layers on a worker of its own, with the same outputs', async () => {
    expect(parallelScansRunning()).toBe(true);
    const model = createCRNN({ numLayers: 2, hiddenSize: 24, cell: 'gru', searchSpace: 'any' } as never);
    const x = tf.randomNormal([3, 60, 84, 1]);
    const parallelOut = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    stopParallelScans();
    const sequentialOut = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
    expect(await startParallelScans()).toBe(true);
    expect(Array.from(parallelOut)).toEqual(Array.from(sequentialOut));
    tf.dispose(x);
    model.dispose();
  });

  it('splits Winograd convolutions with a worker on the shared heap, bit-identical to one thread', async () => {
    const backend = tf.backend() as unknown as HeapBackend;
    expect(winogradWorker(backend)).not.toBeNull();
    const x = tf.randomNormal([2, 37, 84, 32]);
    const f = tf.randomNormal([3, 3, 32, 32], 0, 0.2);
    const conv = () => tf.tidy(() => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }).dataSync() as Float32Array);
    const calls = winogradCallCount();
    const twoThreads = conv();
    stopParallelWinograd();
    expect(winogradWorker(backend)).toBeNull();
    const oneThread = conv();
    expect(winogradCallCount()).toBe(calls + 2);
    expect(await startParallelWinograd((backend as { wasm?: { wasmMemory?: unknown } }).wasm?.wasmMemory)).toBe(true);
    expect(Array.from(twoThreads)).toEqual(Array.from(oneThread));
    // The filter gradient: the two threads' float64 sums are added, so equal to rounding.
    const dW = () => tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(f).dataSync() as Float32Array);
    const dwTwo = dW();
    stopParallelWinograd();
    const dwOne = dW();
    expect(await startParallelWinograd((backend as { wasm?: { wasmMemory?: unknown } }).wasm?.wasmMemory)).toBe(true);
    expect(relErr(dwTwo, dwOne)).toBeLessThan(1e-6);
    tf.dispose([x, f]);
  });

  it('reaches the shared heap: the WebAssembly SIMD heap kernels instantiate on the threaded memory', () => {
    const kernels = heapKernels(tf.backend() as unknown as HeapBackend);
    expect(kernels).not.toBeNull();
    expect(kernels!.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it(`gives the reference logits of every models.json case within ${LOGIT_ATOL}`, () => {
    expect(threaded.size).toBe(manifest.cases.length);
    for (const c of manifest.cases) {
      const { max } = maxAbsDiff(threaded.get(c.name)!, loadArray(c.output as any).data);
      console.log(`[wasm ${THREADS} threads] ${c.name}: max |logit error| ${max.toExponential(2)}`);
      expect(max, c.name).toBeLessThanOrEqual(LOGIT_ATOL);
    }
  });

  it('trains: a CRNN training step has finite gradients and leaks no tensors', async () => {
    const model = createCRNN({ searchSpace: 'any', numLayers: 1, hiddenSize: 16 });
    const x = tf.randomNormal([2, 40, 84, 1], 0, 1, 'float32', 1);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const norms = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
        return tf.stack(Object.values(grads).map((g) => tf.norm(g)));
      });
      expect(Array.from(await norms.data()).every(Number.isFinite)).toBe(true);
      norms.dispose();
    }
    for (let i = 0; i < 20; i++) tf.dispose(model.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('is idempotent for the same count and rejects bad or conflicting calls with BackendError', () => {
    expect(() => enableWasmThreads({ threads: THREADS })).not.toThrow();
    expectAdtError(() => enableWasmThreads({ threads: 3 }), 'BACKEND_UNAVAILABLE', /already enabled/);
    for (const bad of [0, 9, 1.5, Number.NaN]) {
      expectAdtError(() => enableWasmThreads({ threads: bad }), 'BACKEND_UNAVAILABLE', /integer from 1 to 8/);
    }
  });

  it(`equals the single-threaded backend within ${THREADS_ATOL}; enabling after initialisation is refused`, async () => {
    disableWasmThreads();
    expect(wasmThreadsCount()).toBeNull();
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(isThreadedWasmBackend(tf.backend())).toBe(false);
    expectAdtError(() => enableWasmThreads({ threads: THREADS }), 'BACKEND_UNAVAILABLE', /already initialised/);
    const single = await allLogits();
    for (const c of manifest.cases) {
      const { max } = maxAbsDiff(threaded.get(c.name)!, single.get(c.name)!);
      expect(max, c.name).toBeLessThanOrEqual(THREADS_ATOL);
    }
  });
});

describe('enableWasmThreads in a plain Node process', () => {
  it('runs a model on 2 threads and lets the process exit by itself; falls back with a warning', () => {
    const script = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "import '@tensorflow/tfjs-backend-wasm';",
      "import { createCRNN, enableWasmThreads, wasmThreadsCount } from './src/models/index.ts';",
      'enableWasmThreads({ threads: 2 });',
      "await tf.setBackend('wasm');",
      "const m = createCRNN({ searchSpace: 'any', numLayers: 1, hiddenSize: 8 });",
      'const y = m.predict(tf.zeros([1, 20, 84, 1]));',
      "console.log('threads', wasmThreadsCount(), 'shape', y.shape.join('x'));",
    ].join('\n');
    const root = join(import.meta.dirname, '..');
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const dir = join(root, 'node_modules', '.cache', 'adtkit-tests');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `threads-exit-${process.pid}.mts`);
    writeFileSync(file, script.replace("'./src/models/index.ts'", JSON.stringify(join(root, 'src/models/index.ts'))));
    const r = spawnSync(tsx, [file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    // The module's scripts go to the temp directory; an unusable one means the stock backend.
    // (tsx's loader without its cache needs no temp directory itself.)
    const fallback = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, TMPDIR: '/dev/null/adtkit', TSX_DISABLE_CACHE: '1' },
    });
    rmSync(file, { force: true });
    expect(r.error, 'the process did not exit within 60 s').toBeUndefined();
    expect(r.stdout, r.stderr.slice(-2000)).toContain('threads 2 shape 1x20x5');
    expect(r.status).toBe(0);
    expect(fallback.stdout, fallback.stderr.slice(-2000)).toContain('threads null shape 1x20x5');
    expect(fallback.stderr).toMatch(/multi-threaded wasm backend failed to start .*single-threaded/);
    expect(fallback.status).toBe(0);
  });
});
