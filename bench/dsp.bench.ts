/**
 * DSP throughput: `logFilteredSpectrogram` (both presets) and 48 kHz → 44.1 kHz resampling
 * on 60 s of synthetic audio (noise plus tones plus decaying "hits"), reported as seconds
 * of audio processed per second of compute (higher is better; 100 = 100x real time).
 */
import { LogFilteredSpectrogramProcessor, logFilteredSpectrogram, resample } from '../src/dsp/index.js';
import { time } from './timing.js';

export const name = 'dsp';

const DURATION_SECONDS = 60;

/** Seeded noise + tones + decaying hits, peak about 0.9. */
function syntheticAudio(sampleRate: number, seconds: number): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const t = i / sampleRate;
    const beat = t % 0.5;
    x[i] =
      0.05 * (s / 2 ** 32 - 0.5) +
      0.2 * Math.sin(2 * Math.PI * 110 * t) +
      0.1 * Math.sin(2 * Math.PI * 1760 * t) +
      0.5 * Math.exp(-beat * 30) * Math.sin(2 * Math.PI * 60 * beat);
  }
  return x;
}

export async function run(): Promise<object> {
  const audio44 = syntheticAudio(44100, DURATION_SECONDS);
  const audio48 = syntheticAudio(48000, DURATION_SECONDS);
  const audio22 = syntheticAudio(22050, DURATION_SECONDS);
  const results: Record<string, unknown> = { audioSeconds: DURATION_SECONDS };
  for (const preset of ['thesis', 'madmom'] as const) {
    const timing = await time(() => logFilteredSpectrogram(audio44, 44100, { preset }), { runs: 5, warmup: 1 });
    results[`logFilteredSpectrogram_${preset}`] = {
      ...timing,
      audioSecondsPerSecond: DURATION_SECONDS / timing.medianSeconds,
    };
  }
  const setup = await time(() => new LogFilteredSpectrogramProcessor(44100, { preset: 'thesis' }), { runs: 5, warmup: 1 });
  results.processorSetup = setup;
  const resampling = await time(() => resample(audio48, { fromRate: 48000, toRate: 44100 }), { runs: 3, warmup: 1 });
  results.resample_48000_to_44100 = { ...resampling, audioSecondsPerSecond: DURATION_SECONDS / resampling.medianSeconds };
  const upsampling = await time(() => resample(audio22, { fromRate: 22050, toRate: 44100 }), { runs: 3, warmup: 1 });
  results.resample_22050_to_44100 = { ...upsampling, audioSecondsPerSecond: DURATION_SECONDS / upsampling.medianSeconds };
  return results;
}
