// Bundled for headless Chromium by test/dspBrowser.test.ts: the log-filtered spectrogram of a
// deterministic signal on the WebAssembly and the JS path, reported back to Node.
import { logFilteredSpectrogram, useWasmSpectrogram } from '../src/dsp/index.js';

export interface BrowserSpectrogramSummary {
  wasmActive: boolean;
  frames: number;
  bins: number;
  wasm: number[];
  js: number[];
}

/** The same signal as test/dspBrowser.test.ts computes in Node. */
export function testSignal(length: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 0.5 * (s / 2 ** 32 - 0.5) * Math.sin(i / 1500) + 0.2 * Math.sin(i * 0.031);
  });
}

(globalThis as any).runSpectrogram = (length: number, preset: 'thesis' | 'madmom'): BrowserSpectrogramSummary => {
  const x = testSignal(length);
  const wasmActive = useWasmSpectrogram(true);
  const wasm = logFilteredSpectrogram(x, 44100, { preset });
  useWasmSpectrogram(false);
  const js = logFilteredSpectrogram(x, 44100, { preset });
  useWasmSpectrogram(true);
  return { wasmActive, frames: wasm.frames, bins: wasm.bins, wasm: Array.from(wasm.data), js: Array.from(js.data) };
};
