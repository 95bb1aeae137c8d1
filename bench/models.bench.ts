/**
 * Inference speed of the default RNN / CNN / CRNN (SPEC §4 defaults) on the cpu and wasm
 * backends: seconds of compute per second of audio (100 frames = 1 s), for a batch of
 * 400-frame segments, and its inverse, the real-time factor. Process CPU time is reported
 * beside wall time because the benchmark machine is shared: on a busy machine wall time
 * grows while CPU time stays close to the idle-machine wall time (all of TF.js cpu/wasm in
 * Node runs on one thread).
 * Env: ADTKIT_BENCH_BATCH (segments per batch, default 8), ADTKIT_BENCH_CPU_BATCH (default 2:
 * the cpu backend is slow), ADTKIT_BENCH_RUNS (default 3).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCNN, createCRNN, createRNN, countCNNParams, countCRNNParams, countRNNParams } from '../src/models/index.js';
import { performance } from 'node:perf_hooks';

export const name = 'models';

const FRAMES = 400;
const FRAME_RATE_HZ = 100;

const architectures: Array<{ id: string; build: () => LayersModel; params: number }> = [
  { id: 'RNN(3, 288, GRU)', build: () => createRNN(), params: countRNNParams() },
  { id: 'CNN(2, 2, 288)', build: () => createCNN(), params: countCNNParams() },
  { id: 'CRNN(3, 288, GRU)', build: () => createCRNN(), params: countCRNNParams() },
];

function envInt(key: string, fallback: number): number {
  const v = Number(process.env[key]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export async function run(): Promise<object> {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  const runs = envInt('ADTKIT_BENCH_RUNS', 3);
  const results: Record<string, unknown> = {};
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const batch = backend === 'cpu' ? envInt('ADTKIT_BENCH_CPU_BATCH', 2) : envInt('ADTKIT_BENCH_BATCH', 8);
    const audioSeconds = (batch * FRAMES) / FRAME_RATE_HZ;
    for (const arch of architectures) {
      const model = arch.build();
      const x = tf.randomNormal([batch, FRAMES, 84, 1]);
      const wall: number[] = [];
      const cpu: number[] = [];
      const n = backend === 'cpu' ? 1 : runs;
      for (let i = 0; i <= n; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const y = model.predict(x) as tf.Tensor;
        await y.data();
        y.dispose();
        const used = process.cpuUsage(c0);
        if (i === 0) continue; // warm-up
        wall.push((performance.now() - t0) / 1000);
        cpu.push((used.user + used.system) / 1e6);
      }
      const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
      results[`${backend} ${arch.id}`] = {
        trainableParams: arch.params,
        batch,
        frames: FRAMES,
        runs: n,
        wallSeconds: median(wall),
        cpuSeconds: median(cpu),
        wallSecondsPerAudioSecond: median(wall) / audioSeconds,
        cpuSecondsPerAudioSecond: median(cpu) / audioSeconds,
        realTimeFactorCpu: audioSeconds / median(cpu),
      };
      x.dispose();
      model.dispose();
    }
  }
  return results;
}
