/**
 * The hand-written backward pass through time of the recurrent layers (used on backends with
 * adtkit's fused gate kernels; the WebAssembly scans of gruScan.ts) gives the gradients of plain TF.js autodiff through the
 * composed ops (used on every other backend), here both on cpu: the kernels are unregistered
 * for the reference run and registered again afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRNN } from '../src/models/index.js';
import { ADT_GRU_SCAN, ADT_GRU_SCAN_GRAD, ADT_LSTM_SCAN, ADT_LSTM_SCAN_GRAD } from '../src/models/gruScan.js';
import { ADT_GRU_GATES, ADT_GRU_GATES_GRAD, ADT_LSTM_GATES, ADT_LSTM_GATES_GRAD } from '../src/models/rnnKernels.js';

/** Unregistered for the reference run: the layers then run as composed ops, not the WebAssembly scans. */
const KERNELS = [ADT_GRU_GATES, ADT_GRU_GATES_GRAD, ADT_LSTM_GATES, ADT_LSTM_GATES_GRAD, ADT_GRU_SCAN, ADT_GRU_SCAN_GRAD, ADT_LSTM_SCAN, ADT_LSTM_SCAN_GRAD];

function gradients(cell: 'gru' | 'lstm', t: number): { loss: number; grads: Float32Array[] } {
  const model = createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 5 as any, cell, inputBins: 6 } as any);
  const out = tf.tidy(() => {
    model.trainableWeights.forEach((w, i) => {
      const n = w.shape.reduce((a: number, b) => a * (b as number), 1);
      w.write(tf.tensor(Float32Array.from({ length: n }, (_, k) => 0.5 * Math.sin(k * 0.37 + i)), w.shape as number[]));
    });
    const x = tf.tensor4d(Float32Array.from({ length: 3 * t * 6 }, (_, k) => Math.cos(k * 0.11)), [3, t, 6, 1]);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar);
    const result = { loss: value.dataSync()[0], grads: model.trainableWeights.map((w) => grads[(w as any).val.name].dataSync() as Float32Array) };
    return result;
  });
  model.dispose();
  return out;
}

describe('recurrent backward pass through time', () => {
  const saved = new Map<string, tf.KernelConfig>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    for (const config of saved.values()) if (tf.getKernel(config.kernelName, 'cpu') === undefined) tf.registerKernel(config);
  });

  for (const cell of ['gru', 'lstm'] as const) {
    it(`${cell}: equals autodiff through the composed ops (T = 1, 7, 40)`, () => {
      for (const t of [1, 7, 40]) {
        const scan = gradients(cell, t);
        for (const name of KERNELS) {
          const config = tf.getKernel(name, 'cpu');
          expect(config, `${name} is registered on cpu`).toBeDefined();
          saved.set(name, config!);
          tf.unregisterKernel(name, 'cpu');
        }
        let reference: ReturnType<typeof gradients>;
        try {
          reference = gradients(cell, t);
        } finally {
          for (const config of saved.values()) tf.registerKernel(config);
        }
        expect(Math.abs(scan.loss - reference.loss)).toBeLessThan(1e-6 * Math.max(1, Math.abs(reference.loss)));
        reference.grads.forEach((g, i) => {
          let max = 0;
          let scale = 0;
          for (let k = 0; k < g.length; k++) {
            max = Math.max(max, Math.abs(scan.grads[i][k] - g[k]));
            scale = Math.max(scale, Math.abs(g[k]));
          }
          expect(max, `T=${t} weight ${i}: max |BPTT - autodiff| (scale ${scale})`).toBeLessThan(1e-5 * Math.max(1, scale));
          // (With T = 1 the recurrent weights see only the zero initial state: no gradient.)
          if (t > 1) expect(scale, `T=${t} weight ${i} has a non-zero gradient`).toBeGreaterThan(0);
        });
      }
    });
  }
});
