/**
 * Regression: gradients through the recurrent layers for every sequence length, on cpu and
 * wasm. TF.js hands a single-output op's gradient a bare tensor, which broke Unpack/SplitV
 * gradients whenever the time axis was cut into a part of length 1 (T = 1, 2, 5, 10, 17, 50 …).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRNN, enableWasmTraining } from '../src/models/index.js';

const LENGTHS = [1, 2, 3, 5, 10, 17, 50];

async function gradients(backend: string, cell: 'gru' | 'lstm', t: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 4 as any, cell, inputBins: 6 } as any);
  return tf.tidy(() => {
    // Deterministic weights and input, identical on both backends.
    model.trainableWeights.forEach((w, i) => {
      const n = w.shape.reduce((a: number, b) => a * (b as number), 1);
      w.write(tf.tensor(Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37 + i)), w.shape as number[]));
    });
    const x = tf.tensor4d(Float32Array.from({ length: 2 * t * 6 }, (_, k) => Math.cos(k * 0.11)), [2, t, 6, 1]);
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar);
    const out = model.trainableWeights.map((w) => grads[(w as any).val.name].dataSync() as Float32Array);
    Object.values(grads).forEach((g) => g.dispose());
    model.dispose();
    return out;
  });
}

describe('recurrent gradients for any sequence length', () => {
  beforeAll(async () => {
    setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/'));
    await tf.setBackend('wasm');
    enableWasmTraining();
  });

  for (const cell of ['gru', 'lstm'] as const) {
    it(`${cell}: finite, equal on cpu and wasm for T = ${LENGTHS.join(', ')}`, async () => {
      for (const t of LENGTHS) {
        const cpu = await gradients('cpu', cell, t);
        const wasm = await gradients('wasm', cell, t);
        expect(wasm.length).toBe(cpu.length);
        cpu.forEach((g, i) => {
          for (let k = 0; k < g.length; k++) {
            expect(Number.isFinite(g[k]), `T=${t} weight ${i}`).toBe(true);
            expect(Math.abs(wasm[i][k] - g[k]), `T=${t} weight ${i}[${k}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(g[k])));
          }
        });
      }
    });
  }
});
