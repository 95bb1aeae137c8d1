/**
 * Helpers for test/wasmTraining*.test.ts: one training step of a models.json case on a
 * backend, recording of adtkit's wasm kernel calls, and comparison helpers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { importTorchWeights } from '../../src/models/index.js';
import { AdamW, weightedBceWithLogits, withSeededRandom } from '../../src/train/index.js';
import { fixturePath } from './fixtures.js';
import { buildCaseModel, fixtureInput, type ModelCase, type ModelsManifest } from './modelCases.js';

export const CLASS_WEIGHTS = [1.5, 2, 4, 1.2, 3];
export const LEARNING_RATE = 1e-3;
/** The wasm kernels enableWasmTraining() adds or replaces. */
export const ADTKIT_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Tile', 'BatchMatMul', '_FusedMatMul', 'Sum', 'Mean', 'FusedBatchNorm'];

/** Builds the adtkit model of any models.json case (the five architectures). */
export function buildCase(c: ModelCase): LayersModel {
  return buildCaseModel(c);
}

/** Gradients and updated weights keyed by the weight's path in the model (variable names get uniquified per build). */
export interface StepResult { loss: number; grads: Map<string, Float32Array>; weights: Map<string, Float32Array> }

/** One training step on `backend` from the reference weights, on the first `frames` frames of the fixture input (standardized). */
export async function trainStep(manifest: ModelsManifest, backend: string, c: ModelCase, training: boolean, frames: number): Promise<StepResult> {
  await tf.setBackend(backend);
  const model = buildCase(c);
  importTorchWeights(model, new Uint8Array(readFileSync(fixturePath(c.weights))));
  const full = fixtureInput(manifest);
  // Standardized with one scalar mean and std, as the thesis feeds its models (SPEC §2).
  const x = tf.tidy(() => {
    const raw = tf.slice(full, [0, 0, 0, 0], [2, frames, 84, 1]);
    const { mean, variance } = tf.moments(raw);
    return tf.div(tf.sub(raw, mean), tf.sqrt(variance));
  });
  // Deterministic sparse targets with widened 0.5 neighbours.
  const y = tf.tensor3d(Float32Array.from({ length: 2 * frames * 5 }, (_, i) => (i % 17 === 0 ? 1 : i % 17 === 1 ? 0.5 : 0)), [2, frames, 5]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new AdamW({ learningRate: LEARNING_RATE, weightDecay: 1e-2 });
  // Seeded Math.random: the same dropout masks on both backends.
  let result: { loss: number; grads: Map<string, Float32Array> } | undefined;
  withSeededRandom(7, () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => weightedBceWithLogits(model.apply(x, { training }) as tf.Tensor, y, CLASS_WEIGHTS), vars);
    const g = new Map(model.trainableWeights.map((w, i) => [w.originalName, grads[vars[i].name].dataSync().slice() as Float32Array]));
    optimizer.applyGradients(grads);
    result = { loss: value.dataSync()[0], grads: g };
  }));
  const weights = new Map(model.trainableWeights.map((w) => [w.originalName, w.read().dataSync().slice() as Float32Array]));
  tf.dispose([full, x, y]);
  optimizer.dispose();
  model.dispose();
  return { ...result!, weights };
}

export interface KernelCall { kernel: string; inputs: Record<string, { values: Float32Array; shape: number[] }>; attrs: tf.NamedAttrMap; output: Float32Array }

/** Runs `fn` with every adtkit wasm kernel wrapped to record its inputs and output. */
export async function recordingKernelCalls(fn: () => Promise<unknown>): Promise<KernelCall[]> {
  const calls: KernelCall[] = [];
  const configs = ADTKIT_KERNELS.map((name) => tf.getKernel(name, 'wasm'));
  for (const config of configs) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const be = args.backend as { readSync(dataId: object): Float32Array };
        const inputs = Object.fromEntries(Object.entries(args.inputs).filter(([, t]) => t != null)
          .map(([k, t]) => [k, { values: be.readSync(t!.dataId).slice(), shape: t!.shape }]));
        const out = config.kernelFunc(args) as tf.TensorInfo;
        calls.push({ kernel: config.kernelName, inputs, attrs: { ...args.attrs }, output: be.readSync(out.dataId).slice() });
        return out;
      },
    });
  }
  try {
    await fn();
  } finally {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
  }
  return calls;
}

/**
 * Filter gradient as a float64 direct sum (NHWC, any stride / padding): the reference for
 * recorded Conv2DBackpropFilter calls (the cpu kernel is exact too, but takes seconds).
 */
export function conv2DBackpropFilterReference(call: KernelCall): Float64Array {
  const x = call.inputs.x;
  const dy = call.inputs.dy.values;
  const a = call.attrs as unknown as { strides: [number, number]; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor'; filterShape: [number, number, number, number] };
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: n, inHeight: ih, inWidth: iw, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const out = new Float64Array(fh * fw * ci * co);
  for (let b = 0; b < n; b++) for (let h = 0; h < oh; h++) for (let w = 0; w < ow; w++) {
    const dyBase = ((b * oh + h) * ow + w) * co;
    for (let kh = 0; kh < fh; kh++) {
      const r = h * info.strideHeight + kh - info.padInfo.top;
      if (r < 0 || r >= ih) continue;
      for (let kw = 0; kw < fw; kw++) {
        const col = w * info.strideWidth + kw - info.padInfo.left;
        if (col < 0 || col >= iw) continue;
        const xBase = ((b * ih + r) * iw + col) * ci;
        for (let i = 0; i < ci; i++) {
          const xv = x.values[xBase + i];
          const base = ((kh * fw + kw) * ci + i) * co;
          for (let o = 0; o < co; o++) out[base + o] += xv * dy[dyBase + o];
        }
      }
    }
  }
  return out;
}

/** The reference result of a recorded call: the cpu kernel on the same inputs (see above for Conv2DBackpropFilter). */
export function referenceOf(call: KernelCall): ArrayLike<number> {
  if (call.kernel === 'Conv2DBackpropFilter') return conv2DBackpropFilterReference(call);
  return tf.tidy(() => {
    const inputs = Object.fromEntries(Object.entries(call.inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
    return (tf.engine().runKernel(call.kernel, inputs, call.attrs) as tf.Tensor).dataSync() as Float32Array;
  });
}

/**
 * Error of a recorded kernel call against the same kernel run on the current backend:
 * max |got − want| / max |want|, except for Sum and Mean, whose error is scaled by the same
 * reduction of |x| (sums that cancel, such as a LayerNorm gradient's, are ~1e-10 and
 * otherwise give meaningless relative errors).
 */
export function kernelCallError(call: KernelCall): number {
  const want = referenceOf(call);
  if (call.kernel !== 'Sum' && call.kernel !== 'Mean') return relErr(call.output, want);
  const scale = tf.tidy(() => {
    const x = call.inputs.x;
    const abs = tf.abs(tf.tensor(x.values, x.shape));
    return (tf.engine().runKernel(call.kernel, { x: abs }, call.attrs) as tf.Tensor).dataSync();
  });
  expect(call.output.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(call.output[i] - want[i]) / Math.max(scale[i], 1e-30));
  return worst;
}

/** max |got − want| / max |want|. */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/** Expects every gradient within `rtol`; returns the worst. */
export function compareGrads(wasm: StepResult, cpu: StepResult, rtol: number): { worst: number; name: string } {
  expect([...wasm.grads.keys()].sort()).toEqual([...cpu.grads.keys()].sort());
  let worst = 0;
  let worstName = '';
  for (const [name, g] of cpu.grads) {
    const err = relErr(wasm.grads.get(name)!, g);
    if (err > worst) [worst, worstName] = [err, name];
    expect(err, `gradient of ${name}`).toBeLessThanOrEqual(rtol);
  }
  return { worst, name: worstName };
}

/**
 * After the first AdamW step an element moves by ≈ lr · sign(g), so a gradient within
 * rounding of 0 may flip it: updated weights agree within 2·lr, not relatively.
 */
export function compareUpdatedWeights(wasm: StepResult, cpu: StepResult): number {
  let worstAll = 0;
  for (const [name, w] of cpu.weights) {
    const got = wasm.weights.get(name)!;
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(got[i] - w[i]));
    expect(worst, `updated ${name}`).toBeLessThanOrEqual(2 * LEARNING_RATE + 1e-6);
    worstAll = Math.max(worstAll, worst);
  }
  return worstAll;
}
