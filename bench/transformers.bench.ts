/**
 * Inference speed of the default Convolutional Transformer (H = 6, L = 5, D = 576) and Vision
 * Transformer (P = 21, H = 6, L = 5, D = 576) on the cpu and wasm backends: seconds of compute
 * per second of audio (100 frames = 1 s) for a batch of 400-frame segments, and its inverse,
 * the real-time factor.
 * Env: ADTKIT_BENCH_BATCH (segments per batch, default 4), ADTKIT_BENCH_CPU_BATCH (default 1:
 * the cpu backend is slow), ADTKIT_BENCH_RUNS (default 3; 1 on cpu).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { countConvTransformerParams, createConvTransformer } from '../src/models/transformer.js';
import { countViTParams, createViT } from '../src/models/vit.js';
import { time } from './timing.js';

export const name = 'transformers';

const FRAMES = 400;
const FRAME_RATE_HZ = 100;

const architectures: Array<{ id: string; build: () => LayersModel; params: number }> = [
  { id: 'ConvTransformer(6 heads, 5 layers, 576)', build: () => createConvTransformer(), params: countConvTransformerParams() },
  { id: 'ViT(P 21, 6 heads, 5 layers, 576)', build: () => createViT(), params: countViTParams() },
];

function envInt(key: string, fallback: number): number {
  const v = Number(process.env[key]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export async function run(): Promise<object> {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  const runs = envInt('ADTKIT_BENCH_RUNS', 3);
  const results: Record<string, unknown> = {};
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    await tf.ready();
    const batch = backend === 'cpu' ? envInt('ADTKIT_BENCH_CPU_BATCH', 1) : envInt('ADTKIT_BENCH_BATCH', 4);
    const audioSeconds = (batch * FRAMES) / FRAME_RATE_HZ;
    for (const arch of architectures) {
      const model = arch.build();
      const x = tf.randomNormal([batch, FRAMES, 84, 1]);
      const t = await time(async () => {
        const y = model.predict(x) as tf.Tensor;
        await y.data();
        y.dispose();
      }, { runs: backend === 'cpu' ? 1 : runs, warmup: 1 });
      results[`${backend} ${arch.id}`] = {
        trainableParams: arch.params,
        batch,
        frames: FRAMES,
        medianSeconds: t.medianSeconds,
        secondsPerAudioSecond: t.medianSeconds / audioSeconds,
        realTimeFactor: audioSeconds / t.medianSeconds,
      };
      x.dispose();
      model.dispose();
    }
  }
  return results;
}
