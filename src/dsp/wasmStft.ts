/**
 * The WebAssembly SIMD path of the log-filtered spectrogram (wasm/stft.wat): windowing, FFT,
 * magnitudes and the sparse filterbank of two frames per complex FFT, in float64 like the JS
 * path (results equal it to rounding: the FFT sums in another order). Used by
 * {@link LogFilteredSpectrogramProcessor} for float32 signals where WebAssembly SIMD exists;
 * the JS path stays the reference and the fallback. No TF.js here (adtkit/dsp must not load it).
 */
import { decodeBase64 } from '../base64.js';
import { startWasmWorker, type WasmWorkerPair } from '../wasmWorker.js';
import type { Filterbank } from './filterbank.js';
import { STFT_SHARED_WASM_BASE64, STFT_WASM_BASE64 } from './wasm/stftBinary.js';

interface StftExports {
  memory: WebAssembly.Memory;
  /** Frames `0 .. count − 1` from `starts` (see wasm/stft.wat for the layout). */
  filteredFrames(
    signal: number, starts: number, count: number, window: number, winLen: number, fftOffset: number,
    n: number, tw: number, bitrev: number, work: number, spec: number, numBins: number,
    fbStarts: number, fbOffsets: number, fbWeights: number, numFilters: number, out: number,
  ): void;
}

let instance: StftExports | null | undefined;

function stftModule(): StftExports | null {
  if (instance !== undefined) return instance;
  try {
    const bytes = decodeBase64(STFT_WASM_BASE64);
    instance = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as StftExports) : null;
  } catch {
    instance = null;
  }
  return instance;
}

let disabled = false;

/** Two-thread runtime (Node): each chunk's frames split between this thread and a worker. */
let parallel: WasmWorkerPair<StftExports> | null = null;

/**
 * Starts a worker thread that computes half of each spectrogram chunk (Node only; the
 * transcription CLI and `enableWasmThreads` with two threads or more call it). Results are
 * bit-identical to one thread (each frame pair is computed by the same code either way).
 * @returns whether the worker runs (false where threads or WebAssembly SIMD are unavailable)
 */
export async function startParallelSpectrogram(): Promise<boolean> {
  if (parallel !== null && parallel.alive) return true;
  if (stftModule() === null) return false;
  parallel = await startWasmWorker<StftExports>(decodeBase64(STFT_SHARED_WASM_BASE64));
  return parallel !== null;
}

/** Stops the worker of {@link startParallelSpectrogram}. */
export function stopParallelSpectrogram(): void {
  parallel?.terminate();
  parallel = null;
}

/** Whether spectrogram chunks are split over two threads. */
export function parallelSpectrogramRunning(): boolean {
  return parallel !== null && parallel.alive;
}

/**
 * Switches the WebAssembly spectrogram path off (`false`) or back on; returns whether it can
 * run here. The JS path gives the same values to rounding; this is for comparisons and
 * debugging.
 * @param enabled - use the WebAssembly path where available @defaultValue true
 */
export function useWasmSpectrogram(enabled = true): boolean {
  disabled = !enabled;
  return enabled && stftModule() !== null;
}

/** Whether spectrograms of float32 signals currently run on the WebAssembly path. */
export function wasmSpectrogramActive(): boolean {
  return !disabled && stftModule() !== null;
}

/** What the kernel needs to know about an STFT plan. */
export interface WasmFrameSource {
  nFft: number;
  numBins: number;
  window: Float64Array;
  /** Offset of the window inside the FFT buffer [samples]. */
  fftOffset: number;
  /** First sample of frame i (may lie outside the signal). */
  frameStart(i: number): number;
  /** Copies `count` samples of `signal` from `start` (edges padded as the plan pads) into `dest`. */
  readSamples(signal: Float32Array, start: number, count: number, dest: Float64Array): void;
}

/** Frames per kernel call: bounds the memory (~1.3 MB at 2048 / 441 / 84 filters). */
const CHUNK_FRAMES = 512;

const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

interface Layout {
  tw: number; bitrev: number; window: number;
  /** FFT buffer and spectrum pair of this thread, then of the worker. */
  work: [number, number]; spec: [number, number];
  fbStarts: number; fbOffsets: number; fbWeights: number; starts: number; out: number; signal: number; end: number;
}

let staged: { module: StftExports; source: WasmFrameSource; filterbank: Filterbank; layout: Layout } | null = null;

function stage(module: StftExports, source: WasmFrameSource, filterbank: Filterbank, maxSpan: number): Layout {
  const { nFft: n, numBins, window } = source;
  const F = filterbank.numFilters;
  let end = 0;
  const take = (bytes: number): number => {
    const at = end;
    end += align(bytes);
    return at;
  };
  const layout: Layout = {
    tw: take(32 * n), bitrev: take(4 * n), window: take(8 * window.length),
    work: [take(16 * n), take(16 * n)], spec: [take(16 * numBins), take(16 * numBins)],
    fbStarts: take(4 * F), fbOffsets: take(4 * (F + 1)), fbWeights: take(4 * filterbank.weights.length),
    starts: take(4 * CHUNK_FRAMES), out: take(8 * CHUNK_FRAMES * F), signal: take(4 * maxSpan), end: 0,
  };
  layout.end = end;
  const pages = Math.ceil(end / 65536);
  const have = module.memory.buffer.byteLength / 65536;
  if (pages > have) module.memory.grow(pages - have);
  const buffer = module.memory.buffer;
  if (staged?.module === module && staged.source === source && staged.filterbank === filterbank && staged.layout.signal === layout.signal) return layout;
  // Twiddles of stages h = 2 .. n/2: (wr, wr), (−wi, wi) with w_j = exp(−iπ j / h).
  const tw = new Float64Array(buffer, layout.tw, 4 * n);
  let at = 0;
  for (let h = 2; h < n; h *= 2) {
    for (let j = 0; j < h; j++, at += 4) {
      const wr = Math.cos((Math.PI * j) / h);
      const wi = -Math.sin((Math.PI * j) / h);
      tw[at] = wr;
      tw[at + 1] = wr;
      tw[at + 2] = -wi;
      tw[at + 3] = wi;
    }
  }
  const bits = Math.log2(n);
  const bitrev = new Int32Array(buffer, layout.bitrev, n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitrev[i] = 16 * r;
  }
  new Float64Array(buffer, layout.window, window.length).set(window);
  new Int32Array(buffer, layout.fbStarts, F).set(filterbank.starts);
  new Int32Array(buffer, layout.fbOffsets, F + 1).set(filterbank.offsets);
  new Float32Array(buffer, layout.fbWeights, filterbank.weights.length).set(filterbank.weights);
  staged = { module, source, filterbank, layout };
  return layout;
}

/**
 * Filterbank outputs `Σ_k W[f, k] |X_t[k]|` of frames `0 .. numFrames − 1` of a float32 signal,
 * handed to `onChunk(firstFrame, count, values [count, numFilters])` chunk by chunk (the
 * values view is reused). Returns false (and does nothing) where the WebAssembly path cannot
 * run: no SIMD, switched off, or an FFT size that is not a power of two ≥ 4.
 */
export function wasmFilteredFrames(
  signal: Float32Array,
  source: WasmFrameSource,
  filterbank: Filterbank,
  numFrames: number,
  onChunk: (firstFrame: number, count: number, values: Float64Array) => void,
): boolean {
  const runtime = parallel !== null && parallel.alive ? parallel : null;
  const module = disabled ? null : runtime !== null ? runtime.exports : stftModule();
  const n = source.nFft;
  if (module === null || n < 4 || (n & (n - 1)) !== 0 || filterbank.numBins !== source.numBins) return false;
  const winLen = source.window.length;
  let maxSpan = 0;
  for (let c = 0; c < numFrames; c += CHUNK_FRAMES) {
    const last = Math.min(numFrames, c + CHUNK_FRAMES) - 1;
    maxSpan = Math.max(maxSpan, source.frameStart(last) + winLen - source.frameStart(c));
  }
  const layout = stage(module, source, filterbank, maxSpan);
  const buffer = module.memory.buffer;
  const heapSignal = new Float32Array(buffer, layout.signal, maxSpan);
  const starts = new Int32Array(buffer, layout.starts, CHUNK_FRAMES);
  const F = filterbank.numFilters;
  const out = new Float64Array(buffer, layout.out, CHUNK_FRAMES * F);
  let edge: Float64Array | null = null;
  for (let first = 0; first < numFrames; first += CHUNK_FRAMES) {
    const count = Math.min(CHUNK_FRAMES, numFrames - first);
    const base = source.frameStart(first);
    const span = source.frameStart(first + count - 1) + winLen - base;
    if (base >= 0 && base + span <= signal.length) {
      heapSignal.set(signal.subarray(base, base + span));
    } else {
      // Edge chunk: the plan's padding (reflect or zeros); float32 values stay exact.
      if (edge === null || edge.length < span) edge = new Float64Array(span);
      source.readSamples(signal, base, span, edge);
      for (let i = 0; i < span; i++) heapSignal[i] = edge[i];
    }
    for (let i = 0; i < count; i++) starts[i] = source.frameStart(first + i) - base;
    const args = (from: number, frames: number, thread: 0 | 1): number[] => [
      layout.signal, layout.starts + 4 * from, frames, layout.window, winLen, source.fftOffset,
      n, layout.tw, layout.bitrev, layout.work[thread], layout.spec[thread], source.numBins,
      layout.fbStarts, layout.fbOffsets, layout.fbWeights, F, layout.out + 8 * from * F,
    ];
    // Two threads: an even split, so each frame pair is computed as on one thread.
    const half = 2 * Math.floor(count / 4);
    if (runtime !== null && half > 0) runtime.runOnTwoThreads('filteredFrames', args(0, half, 0), args(half, count - half, 1));
    else (module.filteredFrames as (...a: number[]) => void)(...args(0, count, 0));
    onChunk(first, count, out);
  }
  return true;
}
