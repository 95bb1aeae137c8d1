/**
 * The WebAssembly SIMD spectrogram path (src/dsp/wasmStft.ts, wasm/stft.wat) against the JS
 * path (the reference, itself checked against the fixtures in dsp.fixtures.test.ts): same
 * shapes and values for every preset, sample rate, length and chunk boundary, the JS fallback
 * for float64 signals, and the committed binary equal to the compiled source.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFilteredSpectrogram, LogFilteredSpectrogramProcessor } from '../src/dsp/index.js';
import { useWasmSpectrogram, wasmSpectrogramActive } from '../src/dsp/wasmStft.js';
// @ts-expect-error: plain ESM build script without types
import { binaryModuleSource, compileWat } from '../scripts/build-wasm.mjs';

function signal(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 0.6 * (s / 2 ** 32 - 0.5) * Math.sin(i / 2000) + 0.3 * Math.sin(i * 0.05 * (1 + (seed % 5)));
  });
}

function bothPaths(x: Float32Array | Float64Array, sampleRate: number, options: Parameters<typeof logFilteredSpectrogram>[2] = {}) {
  useWasmSpectrogram(false);
  const js = logFilteredSpectrogram(x, sampleRate, options);
  useWasmSpectrogram(true);
  const wasm = logFilteredSpectrogram(x, sampleRate, options);
  return { js, wasm };
}

afterEach(() => {
  useWasmSpectrogram(true);
});

describe('WebAssembly spectrogram path', () => {
  it('the committed binary is the compiled .wat source', async () => {
    const source = join(import.meta.dirname, '..', 'src', 'dsp', 'wasm', 'stft.wat');
    const bytes: Buffer = await compileWat(source);
    const shared: Buffer = await compileWat(source, { shared: true });
    expect(readFileSync(join(dirname(source), 'stftBinary.ts'), 'utf8')).toBe(binaryModuleSource('stft', bytes, shared));
  });

  it('is active here (Node has WebAssembly SIMD) and can be switched off and on', () => {
    expect(wasmSpectrogramActive()).toBe(true);
    expect(useWasmSpectrogram(false)).toBe(false);
    expect(wasmSpectrogramActive()).toBe(false);
    expect(useWasmSpectrogram(true)).toBe(true);
  });

  it('equals the JS path for both presets, three sample rates and lengths around frame and chunk boundaries', () => {
    for (const sampleRate of [44100, 48000, 22050]) {
      const hop = sampleRate / 100;
      // 1 frame, odd and even counts, one short of / at / past the 512-frame chunk, 2 chunks + 1.
      const lengths = [1, 100, 2047, 2048, 2049, Math.round(5 * hop) + 7, Math.round(511 * hop), Math.round(512 * hop), Math.round(513 * hop) + 3, Math.round(1025 * hop)];
      for (const [i, length] of lengths.entries()) {
        const x = signal(length, 11 * i + sampleRate);
        for (const preset of ['thesis', 'madmom'] as const) {
          for (const padToSegments of [false, true]) {
            const { js, wasm } = bothPaths(x, sampleRate, { preset, padToSegments });
            expect([wasm.frames, wasm.bins]).toEqual([js.frames, js.bins]);
            let maxDiff = 0;
            for (let k = 0; k < js.data.length; k++) maxDiff = Math.max(maxDiff, Math.abs(js.data[k] - wasm.data[k]));
            // Both compute in float64 and round to float32; the FFTs differ only in summation order.
            expect(maxDiff, `${preset} ${sampleRate} Hz, ${length} samples`).toBeLessThanOrEqual(2e-7);
          }
        }
      }
    }
  });

  it('handles custom filterbanks, silence and full-scale input', () => {
    const x = signal(44100 * 3, 5);
    const options = { filterbank: { bandsPerOctave: 24, fMin: 50, fMax: 16000 } };
    const { js, wasm } = bothPaths(x, 44100, options);
    expect(wasm.bins).toBe(js.bins);
    for (let k = 0; k < js.data.length; k++) expect(Math.abs(js.data[k] - wasm.data[k])).toBeLessThanOrEqual(2e-7);
    const silent = bothPaths(new Float32Array(44100), 44100);
    expect(silent.wasm.data.every((v) => v === 0)).toBe(true);
    const loud = bothPaths(Float32Array.from({ length: 44100 }, (_, i) => (i % 2 ? 1 : -1)), 44100);
    for (let k = 0; k < loud.js.data.length; k++) expect(Math.abs(loud.js.data[k] - loud.wasm.data[k])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(loud.js.data[k])));
  });

  it('leaves float64 signals and reused processors on a consistent path', () => {
    const x32 = signal(44100 * 2, 9);
    const x64 = Float64Array.from(x32);
    useWasmSpectrogram(true);
    const a = logFilteredSpectrogram(x64, 44100);
    useWasmSpectrogram(false);
    const b = logFilteredSpectrogram(x64, 44100);
    expect(a.data).toEqual(b.data);
    // One processor, alternating presets/processors, so staged tables are swapped and restored.
    useWasmSpectrogram(true);
    const thesis = new LogFilteredSpectrogramProcessor(44100);
    const madmom = new LogFilteredSpectrogramProcessor(44100, { preset: 'madmom' });
    const first = thesis.process(x32).data;
    madmom.process(x32);
    expect(thesis.process(x32).data).toEqual(first);
  });
});

describe('WebAssembly spectrogram on two threads (Node worker)', () => {
  it('gives bit-identical results to one thread, for every chunk split, and stops cleanly', async () => {
    const { startParallelSpectrogram, stopParallelSpectrogram, parallelSpectrogramRunning } = await import('../src/dsp/wasmStft.js');
    const x = signal(44100 * 12 + 1234, 3);
    const short = signal(3000, 4);
    useWasmSpectrogram(true);
    const one = [logFilteredSpectrogram(x, 44100), logFilteredSpectrogram(x, 44100, { preset: 'madmom' }), logFilteredSpectrogram(short, 44100)];
    expect(await startParallelSpectrogram()).toBe(true);
    expect(parallelSpectrogramRunning()).toBe(true);
    try {
      const two = [logFilteredSpectrogram(x, 44100), logFilteredSpectrogram(x, 44100, { preset: 'madmom' }), logFilteredSpectrogram(short, 44100)];
      for (let i = 0; i < one.length; i++) expect(two[i].data).toEqual(one[i].data);
    } finally {
      stopParallelSpectrogram();
    }
    expect(parallelSpectrogramRunning()).toBe(false);
    expect(logFilteredSpectrogram(x, 44100).data).toEqual(one[0].data);
  });
});
