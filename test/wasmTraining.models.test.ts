/**
 * enableWasmTraining(): a training step (forward, weighted BCE, gradients of every trainable
 * weight, AdamW update) of every model of models.json — the five architectures, reference
 * weights loaded — on wasm against the cpu backend, in inference mode (BatchNorm on running
 * statistics, no dropout; training mode: wasmTraining.batchStats.test.ts):
 * - every call of an adtkit wasm kernel during the step (Conv2DBackpropFilter,
 *   Conv2DBackpropInput, MaxPoolGrad, Tile, BatchMatMul, _FusedMatMul) is recorded with its inputs
 *   and gives the cpu kernel's result on the same inputs within 1e-4 relative (for
 *   Conv2DBackpropFilter a float64 direct sum stands in for the cpu kernel, which takes
 *   seconds even on these small inputs);
 * - every gradient within 1e-4 relative (max |wasm − cpu| / max |cpu| per weight), and the
 *   AdamW-updated weights within 2·lr.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateWasmBinaries } from './helpers/wasm.js';
import { enableWasmTraining } from '../src/models/index.js';
import { RECURRENT_AND_CNN_CLASSES, TRANSFORMER_CLASSES, modelsManifest } from './helpers/modelCases.js';
import { compareGrads, compareUpdatedWeights, kernelCallError, recordingKernelCalls, trainStep, type StepResult } from './helpers/wasmTraining.js';

const KERNEL_RTOL = 1e-4;
const GRAD_RTOL = 1e-4;
/** Frames of the fixture input used (the cpu backend is slow; the kernels do not depend on T). */
const FRAMES = 4;

const manifest = modelsManifest();
const cases = manifest.cases;

beforeAll(async () => {
  locateWasmBinaries();
  expect(await tf.setBackend('wasm')).toBe(true);
  enableWasmTraining();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('a training step on wasm equals the cpu backend\'s (inference mode)', () => {
  it('covers the five architectures', () => {
    expect(new Set(cases.map((c) => c.cls))).toEqual(new Set([...RECURRENT_AND_CNN_CLASSES, ...TRANSFORMER_CLASSES]));
  });

  for (const c of cases) {
    it(`${c.name}: adtkit kernels on the step's own inputs within ${KERNEL_RTOL}, gradients within ${GRAD_RTOL}`, async () => {
      let wasm: StepResult | undefined;
      const calls = await recordingKernelCalls(async () => {
        wasm = await trainStep(manifest, 'wasm', c, false, FRAMES);
      });
      const cpu = await trainStep(manifest, 'cpu', c, false, FRAMES);
      let worstKernel = 0;
      for (const call of calls) {
        const err = kernelCallError(call);
        worstKernel = Math.max(worstKernel, err);
        expect(err, `${call.kernel} on [${Object.values(call.inputs).map((v) => v.shape.join('×')).join(', ')}]`).toBeLessThanOrEqual(KERNEL_RTOL);
      }
      const kinds = new Set(calls.map((k) => k.kernel));
      if (c.cls !== 'RNN' && c.cls !== 'VisionTransformer') expect([...kinds]).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']));
      expect(Math.abs(wasm!.loss - cpu.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(cpu.loss));
      const grads = compareGrads(wasm!, cpu, GRAD_RTOL);
      const weights = compareUpdatedWeights(wasm!, cpu);
      console.log(`[wasm train, inference mode] ${c.name}: ${calls.length} adtkit kernel calls (${[...kinds].join(', ')}), worst rel ${worstKernel.toExponential(2)}; ` +
        `${cpu.grads.size} gradients, worst rel ${grads.worst.toExponential(2)} (${grads.name}); updated weights worst abs ${weights.toExponential(2)}`);
    });
  }
});
