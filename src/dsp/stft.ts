/**
 * Short-time Fourier transform on fft.js, with cached plans.
 *
 * A {@link StftPlan} owns everything that is expensive to build or to allocate: the FFT
 * tables (fft.js), the window, and the work buffers. It is reused across calls
 * (`getStftPlan` keeps a small cache keyed by the configuration), so computing a
 * spectrogram allocates nothing per frame.
 *
 * Speed: fft.js's complex transform of size N costs less than its real transform of the
 * same size, so frames are transformed two at a time: frame a goes into the real part and
 * frame b into the imaginary part of one complex FFT, and the two spectra are separated
 * with `A[k] = (Z[k] + conj Z[N-k]) / 2`, `B[k] = (Z[k] - conj Z[N-k]) / 2i`
 * (the standard "two real FFTs for the price of one" identity). All arithmetic is in
 * double precision; results are stored as float32.
 */
import FFT from 'fft.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { N_FFT, madmomHopLength, thesisHopLength } from './constants.js';
import {
  FRAMINGS,
  PAD_MODES,
  checkHop,
  countFrames,
  frameOffset,
  frameStart,
  readFrame,
  type Framing,
  type PadMode,
} from './framing.js';
import type { Spectrogram } from './spectrogram.js';
import {
  assertOneOf,
  assertOptions,
  assertPositiveInteger,
  assertPowerOfTwo,
  assertSampleRate,
  checkSignal,
  describe,
  type SignalLike,
} from './validate.js';
import { hannWindow } from './window.js';
import type { WasmFrameSource } from './wasmStft.js';

/**
 * Analysis window: `'hann'` (periodic Hann, torch's `hann_window` default),
 * `'hann-symmetric'` (numpy `hanning`, madmom) or explicit coefficients of length
 * `windowLength`.
 */
export type WindowSpec = 'hann' | 'hann-symmetric' | Float32Array | Float64Array;

/** Options of the STFT. */
export interface StftOptions {
  /** FFT size [samples], a power of two. @defaultValue 2048 */
  nFft?: number;
  /** Window length [samples], at most `nFft`. @defaultValue nFft */
  windowLength?: number;
  /**
   * Hop [samples]. Integer for `'center'` and `'start'` framing; may be fractional for
   * `'madmom'`.
   * @defaultValue `floor(sampleRate / 100)` (`sampleRate / 100` with madmom framing)
   */
  hopLength?: number;
  /** Window. @defaultValue 'hann' (periodic) */
  window?: WindowSpec;
  /** Frame placement, see {@link Framing}. @defaultValue 'center' */
  framing?: Framing;
  /** Edge padding for `'center'` framing. @defaultValue 'reflect' */
  padMode?: PadMode;
  /** Keep the Nyquist bin (`nFft / 2 + 1` bins) or drop it (`nFft / 2` bins, madmom). @defaultValue true */
  includeNyquist?: boolean;
}

/** Fully resolved STFT configuration (what a plan is built from). */
export interface StftConfig {
  /** FFT size [samples]. */
  nFft: number;
  /** Window length [samples]. */
  windowLength: number;
  /** Hop [samples]. */
  hopLength: number;
  /** Window. */
  window: WindowSpec;
  /** Frame placement. */
  framing: Framing;
  /** Edge padding. */
  padMode: PadMode;
  /** Whether the Nyquist bin is kept. */
  includeNyquist: boolean;
}

/**
 * Resolves STFT options against their defaults and validates them.
 * @param sampleRate - sample rate [Hz] (sets the default hop)
 * @param options - see {@link StftOptions}
 * @returns the complete configuration
 * @throws {@link InvalidArgumentError} on a bad option, {@link AudioError} on a bad sample rate.
 */
export function resolveStftOptions(sampleRate: number, options: StftOptions = {}): StftConfig {
  assertSampleRate(sampleRate);
  assertOptions(options);
  const nFft = options.nFft ?? N_FFT;
  assertPowerOfTwo(nFft, 'options.nFft');
  const windowLength = options.windowLength ?? nFft;
  assertPositiveInteger(windowLength, 'options.windowLength');
  if (windowLength > nFft) {
    throw new InvalidArgumentError(`options.windowLength (${windowLength}) must not exceed options.nFft (${nFft})`, { field: 'options.windowLength' });
  }
  const framing = options.framing ?? 'center';
  assertOneOf(framing, FRAMINGS, 'options.framing');
  const padMode = options.padMode ?? 'reflect';
  assertOneOf(padMode, PAD_MODES, 'options.padMode');
  const hopLength = options.hopLength ?? (framing === 'madmom' ? madmomHopLength(sampleRate) : thesisHopLength(sampleRate));
  checkHop(hopLength, framing, 'options.hopLength');
  const window = options.window ?? 'hann';
  if (typeof window === 'string') {
    assertOneOf(window, ['hann', 'hann-symmetric'] as const, 'options.window');
  } else if (window instanceof Float32Array || window instanceof Float64Array) {
    if (window.length !== windowLength) {
      throw new ShapeError(`options.window has ${window.length} coefficients but windowLength is ${windowLength}`, { field: 'options.window' });
    }
    for (let i = 0; i < window.length; i++) {
      if (!Number.isFinite(window[i])) {
        throw new InvalidArgumentError(`options.window[${i}] is ${describe(window[i])}; window coefficients must be finite`, { field: 'options.window' });
      }
    }
  } else {
    throw new InvalidArgumentError(`options.window must be 'hann', 'hann-symmetric' or a Float32Array/Float64Array, got ${describe(window)}`, {
      field: 'options.window',
    });
  }
  const includeNyquist = options.includeNyquist ?? true;
  assertOneOf(includeNyquist, [true, false], 'options.includeNyquist');
  return { nFft, windowLength, hopLength, window, framing, padMode, includeNyquist };
}

/**
 * A reusable STFT: FFT tables, window and work buffers for one configuration.
 * Not re-entrant (the buffers are shared by calls), which JavaScript's single thread
 * makes safe unless a frame callback itself runs the same plan.
 */
export class StftPlan {
  /** The configuration this plan was built for. */
  readonly config: Readonly<StftConfig>;
  /** Number of frequency bins per frame (`nFft / 2 + 1` or `nFft / 2`). */
  readonly numBins: number;
  /** Window coefficients [windowLength]. */
  readonly window: Float64Array;
  private readonly fft: FFT;
  private readonly input: Float64Array;
  private readonly output: Float64Array;
  private readonly spectrumA: Float64Array;
  private readonly spectrumB: Float64Array;
  /** Offset of the window inside the FFT buffer [samples]. */
  private readonly fftOffset: number;
  /** Offset of a frame's first windowed sample from its anchor [samples]. */
  private readonly sampleOffset: number;

  /**
   * @param config - a configuration from {@link resolveStftOptions}
   */
  constructor(config: StftConfig) {
    this.config = Object.freeze({ ...config });
    const { nFft, windowLength, framing, window } = config;
    this.numBins = config.includeNyquist ? nFft / 2 + 1 : nFft / 2;
    this.window =
      window === 'hann' ? hannWindow(windowLength, { periodic: true })
      : window === 'hann-symmetric' ? hannWindow(windowLength, { periodic: false })
      : Float64Array.from(window);
    this.fft = new FFT(nFft);
    this.input = new Float64Array(2 * nFft);
    this.output = new Float64Array(2 * nFft);
    this.spectrumA = new Float64Array(this.numBins);
    this.spectrumB = new Float64Array(this.numBins);
    this.fftOffset = framing === 'madmom' ? 0 : Math.floor((nFft - windowLength) / 2);
    this.sampleOffset = frameOffset(framing, windowLength, nFft);
  }

  private frameSource: WasmFrameSource | null = null;

  /** This plan as the WebAssembly spectrogram kernel sees it (src/dsp/wasmStft.ts). */
  get wasmFrameSource(): WasmFrameSource {
    if (this.frameSource === null) {
      const { framing, hopLength } = this.config;
      const padMode: PadMode = framing === 'madmom' ? 'constant' : this.config.padMode;
      const sampleOffset = this.sampleOffset;
      this.frameSource = {
        nFft: this.config.nFft,
        numBins: this.numBins,
        window: this.window,
        fftOffset: this.fftOffset,
        frameStart: (i) => frameStart(i, framing, hopLength, sampleOffset),
        readSamples: (signal, start, count, dest) => readFrame(signal, start, count, padMode, dest, 0, 1, null),
      };
    }
    return this.frameSource;
  }

  /** Frame count for a signal of `numSamples` samples. */
  numFrames(numSamples: number): number {
    const { framing, hopLength, nFft } = this.config;
    return countFrames(numSamples, framing, hopLength, nFft);
  }

  /**
   * Frequencies of the bins [Hz] for a sample rate.
   * @param sampleRate - [Hz]
   * @returns Float64Array [numBins], `k * sampleRate / nFft`
   */
  binFrequencies(sampleRate: number): Float64Array {
    const out = new Float64Array(this.numBins);
    for (let k = 0; k < this.numBins; k++) out[k] = (k * sampleRate) / this.config.nFft;
    return out;
  }

  /**
   * Runs the STFT and hands each frame's magnitude (or power) spectrum to `onFrame`, in
   * frame order. The spectrum buffer is reused: copy it if you keep it.
   * @param signal - validated mono samples
   * @param power - 1 for magnitude |X|, 2 for power |X|^2
   * @param onFrame - receives (frame index, spectrum [numBins])
   * @param numFrames - frames to compute @defaultValue {@link StftPlan.numFrames}
   */
  forEachFrame(
    signal: Float32Array | Float64Array,
    power: 1 | 2,
    onFrame: (frameIndex: number, spectrum: Float64Array) => void,
    numFrames: number = this.numFrames(signal.length),
  ): void {
    const { nFft, windowLength, hopLength, framing } = this.config;
    const padMode: PadMode = framing === 'madmom' ? 'constant' : this.config.padMode;
    const { input, output, spectrumA, spectrumB, window, fft, numBins, sampleOffset } = this;
    const realOffset = 2 * this.fftOffset;
    let i = 0;
    for (; i + 1 < numFrames; i += 2) {
      readFrame(signal, frameStart(i, framing, hopLength, sampleOffset), windowLength, padMode, input, realOffset, 2, window);
      readFrame(signal, frameStart(i + 1, framing, hopLength, sampleOffset), windowLength, padMode, input, realOffset + 1, 2, window);
      fft.transform(output, input);
      // Separate the two real spectra (see the module comment). Bin 0 pairs with itself.
      const z0r = output[0];
      const z0i = output[1];
      if (power === 2) {
        spectrumA[0] = z0r * z0r;
        spectrumB[0] = z0i * z0i;
        for (let k = 1, p = 2, m = 2 * nFft - 2; k < numBins; k++, p += 2, m -= 2) {
          const zr = output[p];
          const zi = output[p + 1];
          const yr = output[m];
          const yi = output[m + 1];
          const ar = zr + yr;
          const ai = zi - yi;
          const br = zi + yi;
          const bi = yr - zr;
          spectrumA[k] = 0.25 * (ar * ar + ai * ai);
          spectrumB[k] = 0.25 * (br * br + bi * bi);
        }
      } else {
        spectrumA[0] = Math.abs(z0r);
        spectrumB[0] = Math.abs(z0i);
        for (let k = 1, p = 2, m = 2 * nFft - 2; k < numBins; k++, p += 2, m -= 2) {
          const zr = output[p];
          const zi = output[p + 1];
          const yr = output[m];
          const yi = output[m + 1];
          const ar = zr + yr;
          const ai = zi - yi;
          const br = zi + yi;
          const bi = yr - zr;
          spectrumA[k] = 0.5 * Math.sqrt(ar * ar + ai * ai);
          spectrumB[k] = 0.5 * Math.sqrt(br * br + bi * bi);
        }
      }
      onFrame(i, spectrumA);
      onFrame(i + 1, spectrumB);
    }
    if (i < numFrames) {
      readFrame(signal, frameStart(i, framing, hopLength, sampleOffset), windowLength, padMode, input, realOffset, 2, window);
      for (let k = 0, d = realOffset + 1; k < windowLength; k++, d += 2) input[d] = 0;
      fft.transform(output, input);
      for (let k = 0; k < numBins; k++) {
        const re = output[2 * k];
        const im = output[2 * k + 1];
        const p = re * re + im * im;
        spectrumA[k] = power === 2 ? p : Math.sqrt(p);
      }
      onFrame(i, spectrumA);
    }
  }

  /**
   * Magnitude or power spectrogram of a signal.
   * @param signal - validated mono samples
   * @param power - 1 (magnitude) or 2 (power)
   * @returns `[frames, numBins]` row-major and the frame count
   */
  spectrogram(signal: Float32Array | Float64Array, power: 1 | 2): { data: Float32Array; frames: number } {
    const frames = this.numFrames(signal.length);
    const bins = this.numBins;
    const data = new Float32Array(frames * bins);
    this.forEachFrame(signal, power, (i, spectrum) => {
      const base = i * bins;
      for (let k = 0; k < bins; k++) data[base + k] = spectrum[k];
    });
    return { data, frames };
  }
}

const planCache = new Map<string, StftPlan>();
const PLAN_CACHE_SIZE = 16;

/**
 * Returns a cached {@link StftPlan} for a configuration (built on first use; configurations
 * with an explicit window array are not cached).
 * @param config - a configuration from {@link resolveStftOptions}
 */
export function getStftPlan(config: StftConfig): StftPlan {
  if (typeof config.window !== 'string') return new StftPlan(config);
  const key = JSON.stringify([config.nFft, config.windowLength, config.hopLength, config.window, config.framing, config.padMode, config.includeNyquist]);
  let plan = planCache.get(key);
  if (!plan) {
    plan = new StftPlan(config);
    if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value as string);
    planCache.set(key, plan);
  }
  return plan;
}

/** Options of {@link magnitudeSpectrogram} and {@link powerSpectrogram}. */
export type SpectrogramOptions = StftOptions;

function computeSpectrogram(signal: SignalLike, sampleRate: number, options: SpectrogramOptions, power: 1 | 2): Spectrogram {
  const config = resolveStftOptions(sampleRate, options);
  const x = checkSignal(signal);
  const plan = getStftPlan(config);
  const frames = plan.numFrames(x.length);
  if (frames === 0) {
    throw new ShapeError(
      `signal has ${x.length} samples, fewer than one frame of ${config.nFft} with framing 'start'; use framing 'center' or pad the signal`,
      { field: 'signal' },
    );
  }
  const { data } = plan.spectrogram(x, power);
  return {
    data,
    frames,
    bins: plan.numBins,
    sampleRate,
    hopLength: config.hopLength,
    frameRate: sampleRate / config.hopLength,
    nFft: config.nFft,
    binFrequenciesHz: plan.binFrequencies(sampleRate),
    scale: power === 1 ? 'magnitude' : 'power',
  };
}

/**
 * Magnitude spectrogram |STFT|, frame-major.
 *
 * Defaults reproduce torchaudio's `Spectrogram(n_fft=2048, hop_length=sr // 100, power=1)`
 * (periodic Hann, centred frames with reflect padding, `1 + floor(N / hop)` frames, 1025
 * bins). `{ framing: 'madmom', window: 'hann-symmetric', includeNyquist: false }` reproduces
 * madmom's `Spectrogram` with `fps = 100`.
 *
 * @param signal - mono samples [samples]
 * @param sampleRate - [Hz]
 * @param options - see {@link StftOptions}
 * @returns `[frames, bins]` magnitudes with metadata
 * @throws {@link AudioError} on an empty signal or bad sample rate, {@link NonFiniteError} on
 *   NaN/infinite samples, {@link InvalidArgumentError} on bad options, {@link ShapeError} when
 *   `'start'` framing leaves no frame.
 * @example
 * ```ts
 * import { magnitudeSpectrogram } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 44100 }, (_, i) => Math.sin(i / 7));
 * const spec = magnitudeSpectrogram(signal, 44100);
 * console.log(spec.frames, spec.bins, spec.frameRate); // 101 1025 100
 * ```
 */
export function magnitudeSpectrogram(signal: SignalLike, sampleRate: number, options: SpectrogramOptions = {}): Spectrogram {
  return computeSpectrogram(signal, sampleRate, options, 1);
}

/**
 * Power spectrogram |STFT|^2, frame-major. Same options and errors as {@link magnitudeSpectrogram}.
 * @param signal - mono samples [samples]
 * @param sampleRate - [Hz]
 * @param options - see {@link StftOptions}
 * @returns `[frames, bins]` powers with metadata
 */
export function powerSpectrogram(signal: SignalLike, sampleRate: number, options: SpectrogramOptions = {}): Spectrogram {
  return computeSpectrogram(signal, sampleRate, options, 2);
}
