/**
 * End-to-end transcription speed: `transcribe()` on 3 minutes of 44.1 kHz stereo audio with the
 * default-size CRNN (createCRNN() defaults, random weights) on the wasm and cpu backends.
 * Reports the real-time factor (audio seconds per compute second) and the share of the time
 * spent in resampling/down-mix, spectrogram, model and peak picking, plus the streaming
 * Transcriber on wasm and the effect of the batch size.
 * Env: ADTKIT_BENCH_TRANSCRIBE_SECONDS (audio length, default 180),
 * ADTKIT_BENCH_TRANSCRIBE_BACKENDS (default "wasm,cpu").
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCRNN } from '../src/models/index.js';
import { createBundle, transcribe, Transcriber, type ModelBundle } from '../src/transcribe/index.js';

export const name = 'transcribe';

const SAMPLE_RATE = 44100;

/** Deterministic drum-like stereo audio: decaying noise bursts and tones on a 120 bpm grid. */
function syntheticAudio(seconds: number): { channels: Float32Array[]; sampleRate: number } {
  const n = Math.round(seconds * SAMPLE_RATE);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let seed = 12345;
  const noise = (): number => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 31 - 1;
  };
  const step = Math.round(0.125 * SAMPLE_RATE);
  for (let k = 0, at = 0; at < n; k++, at += step) {
    const kind = k % 4;
    const length = Math.min(n - at, 6000);
    for (let i = 0; i < length; i++) {
      const env = Math.exp(-i / (kind === 0 ? 1500 : 600));
      const v = kind === 0 ? Math.sin((2 * Math.PI * 60 * i) / SAMPLE_RATE) : noise() * (kind === 2 ? 0.3 : 0.6);
      left[at + i] += 0.5 * env * v;
      right[at + i] += 0.4 * env * v;
    }
  }
  return { channels: [left, right], sampleRate: SAMPLE_RATE };
}

function envNumber(key: string, fallback: number): number {
  const v = Number(process.env[key]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

async function streamSeconds(bundle: ModelBundle, audio: { channels: Float32Array[]; sampleRate: number }, batchSize: number): Promise<number> {
  const transcriber = new Transcriber({ model: bundle, batchSize });
  const chunk = 4096;
  const t0 = performance.now();
  for (let i = 0; i < audio.channels[0].length; i += chunk) await transcriber.push(audio.channels.map((c) => c.subarray(i, i + chunk)));
  await transcriber.flush();
  return (performance.now() - t0) / 1000;
}

export async function run(): Promise<object> {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  const seconds = envNumber('ADTKIT_BENCH_TRANSCRIBE_SECONDS', 180);
  const backends = (process.env.ADTKIT_BENCH_TRANSCRIBE_BACKENDS ?? 'wasm,cpu').split(',').map((b) => b.trim());
  const audio = syntheticAudio(seconds);
  const warmup = syntheticAudio(2);
  const results: Record<string, unknown> = { audioSeconds: seconds, model: 'CRNN(3, 288, GRU), random weights', segmentFrames: 400, contextFrames: 50 };
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    const bundle = createBundle(createCRNN(), { license: 'none (random weights)', standardization: { mean: 0.3, std: 0.4 } });
    await transcribe(warmup, { model: bundle });
    const before = tf.memory().numTensors;
    const r = await transcribe(audio, { model: bundle, batchSize: 4 });
    const t = r.timings;
    const entry: Record<string, unknown> = {
      batchSize: 4,
      totalSeconds: t.totalSeconds,
      realTimeFactor: seconds / t.totalSeconds,
      share: {
        resample: t.resampleSeconds / t.totalSeconds,
        spectrogram: t.spectrogramSeconds / t.totalSeconds,
        model: t.modelSeconds / t.totalSeconds,
        peakPicking: t.peakPickingSeconds / t.totalSeconds,
      },
      seconds: { resample: t.resampleSeconds, spectrogram: t.spectrogramSeconds, model: t.modelSeconds, peakPicking: t.peakPickingSeconds },
      events: r.events.length,
      tensorsLeaked: tf.memory().numTensors - before,
    };
    if (backend === 'wasm') {
      // Batch size and streaming, on a 30 s excerpt (cheap on wasm).
      const excerpt = { channels: audio.channels.map((c) => c.subarray(0, 30 * SAMPLE_RATE)), sampleRate: SAMPLE_RATE };
      const byBatch: Record<string, number> = {};
      for (const batchSize of [1, 4, 8]) {
        const x = await transcribe(excerpt, { model: bundle, batchSize });
        byBatch[`batch${batchSize}`] = 30 / x.timings.totalSeconds;
      }
      entry.excerpt30sRealTimeFactorByBatch = byBatch;
      const s = await streamSeconds(bundle, excerpt, 1);
      entry.excerpt30sStreamingRealTimeFactor = { batchSize: 1, chunkSamples: 4096, realTimeFactor: 30 / s };
    }
    results[backend] = entry;
    bundle.model.dispose();
  }
  return results;
}
