/**
 * The model input of adtkit: log-compressed, log-frequency filtered magnitude
 * spectrograms, `log10(|STFT| * W + 1)`, in two presets (SPEC §2):
 *
 * | preset | STFT | filterbank |
 * |---|---|---|
 * | `'thesis'` | periodic Hann 2048, hop `floor(sr / 100)`, centred frames with reflect padding, 1025 bins | {@link thesisLogFilterbank} |
 * | `'madmom'` | symmetric Hann 2048, hop `sr / 100` (fractional allowed), madmom framing, 1024 bins | {@link madmomLogFilterbank} |
 *
 * The work per frame is one half of a complex FFT (see `stft.ts`), a sparse filterbank
 * dot product and one `log10` per filter; nothing is allocated per frame.
 */
import { SEGMENT_FRAMES } from './constants.js';
import { applyFilterbankToFrame, type Filterbank } from './filterbank.js';
import { wasmFilteredFrames } from './wasmStft.js';
import { madmomLogFilterbank, thesisLogFilterbank, type LogFilterbankOptions } from './logFilterbank.js';
import { computeSegmentPadding } from './segmentPadding.js';
import type { Spectrogram } from './spectrogram.js';
import { getStftPlan, resolveStftOptions, type StftPlan } from './stft.js';
import { assertOneOf, assertOptions, assertPositiveInteger, assertSampleRate, checkSignal, type SignalLike } from './validate.js';

/** Name of a spectrogram preset. */
export type SpectrogramPreset = 'thesis' | 'madmom';

/** All presets, for validation and iteration. */
export const SPECTROGRAM_PRESETS: readonly SpectrogramPreset[] = ['thesis', 'madmom'];

/** Options of {@link logFilteredSpectrogram} and {@link LogFilteredSpectrogramProcessor}. */
export interface LogFilteredSpectrogramOptions {
  /** Which reference to follow, see the module comment. @defaultValue 'thesis' */
  preset?: SpectrogramPreset;
  /**
   * Pad the signal with zeros at the end so that the frame count is a multiple of
   * `segmentFrames` (the thesis `readAudio`; see `computeSegmentPadding`). For the madmom
   * preset the extra frames are computed beyond the end of the signal (zeros outside),
   * which is the same thing.
   * @defaultValue false
   */
  padToSegments?: boolean;
  /** Segment length for `padToSegments` [frames]. @defaultValue 400 */
  segmentFrames?: number;
  /**
   * `'thesis'`: with `padToSegments`, crop the signal end when the reference's pad is
   * negative, as the reference does (thesis preset only). Unset: never drop audio.
   * @defaultValue undefined
   */
  compat?: 'thesis';
  /** Filterbank design overrides (frequency range, bands per octave, normalisation). @defaultValue {} */
  filterbank?: Omit<LogFilterbankOptions, 'nFft'>;
}

/**
 * Holds what a log-filtered spectrogram needs for one sample rate and preset (STFT plan
 * and filterbank, both built once) and computes spectrograms from signals.
 *
 * @example
 * ```ts
 * import { LogFilteredSpectrogramProcessor } from 'adtkit/dsp';
 * const processor = new LogFilteredSpectrogramProcessor(44100, { preset: 'thesis' });
 * const signal = Float32Array.from({ length: 44100 }, (_, i) => Math.sin(i / 7));
 * const spec = processor.process(signal);
 * console.log(spec.frames, spec.bins); // 101 84
 * ```
 */
export class LogFilteredSpectrogramProcessor {
  /** Sample rate the processor was built for [Hz]. */
  readonly sampleRate: number;
  /** Preset in use. */
  readonly preset: SpectrogramPreset;
  /** The filterbank (its `centerFrequenciesHz` become the output's `binFrequenciesHz`). */
  readonly filterbank: Filterbank;
  /** The STFT plan. */
  readonly plan: StftPlan;
  private readonly options: LogFilteredSpectrogramOptions;
  private readonly segmentFrames: number;

  /**
   * @param sampleRate - [Hz]
   * @param options - see {@link LogFilteredSpectrogramOptions}
   * @throws {@link AudioError} on a bad sample rate, {@link InvalidArgumentError} on bad options.
   */
  constructor(sampleRate: number, options: LogFilteredSpectrogramOptions = {}) {
    assertSampleRate(sampleRate);
    assertOptions(options);
    const preset = options.preset ?? 'thesis';
    assertOneOf(preset, SPECTROGRAM_PRESETS, 'options.preset');
    assertOneOf(options.padToSegments ?? false, [true, false], 'options.padToSegments');
    this.segmentFrames = options.segmentFrames ?? SEGMENT_FRAMES;
    assertPositiveInteger(this.segmentFrames, 'options.segmentFrames');
    if (options.compat !== undefined) assertOneOf(options.compat, ['thesis'] as const, 'options.compat');
    assertOptions(options.filterbank, 'options.filterbank');
    this.sampleRate = sampleRate;
    this.preset = preset;
    this.options = { ...options };
    const fbOptions = { ...(options.filterbank ?? {}) };
    if (preset === 'thesis') {
      this.plan = getStftPlan(resolveStftOptions(sampleRate, { window: 'hann', framing: 'center', padMode: 'reflect', includeNyquist: true }));
      this.filterbank = thesisLogFilterbank(sampleRate, fbOptions);
    } else {
      this.plan = getStftPlan(resolveStftOptions(sampleRate, { window: 'hann-symmetric', framing: 'madmom', includeNyquist: false }));
      this.filterbank = madmomLogFilterbank(sampleRate, fbOptions);
    }
  }

  /** Hop [samples] (fractional for the madmom preset at e.g. 22.05 kHz). */
  get hopLength(): number {
    return this.plan.config.hopLength;
  }

  /**
   * Computes `log10(|STFT| W + 1)` of a signal.
   * @param signal - mono samples at {@link LogFilteredSpectrogramProcessor.sampleRate} [samples]
   * @returns `[frames, numFilters]` with metadata (`binFrequenciesHz` = filter centres)
   * @throws {@link AudioError} on an empty signal, {@link NonFiniteError} on NaN/infinite samples.
   */
  process(signal: SignalLike): Spectrogram {
    let x = checkSignal(signal);
    let frames: number;
    if (this.options.padToSegments) {
      if (this.preset === 'thesis') {
        const padding = computeSegmentPadding(x.length, this.sampleRate, {
          segmentFrames: this.segmentFrames,
          hopLength: this.hopLength,
          compat: this.options.compat,
        });
        const padded = new Float32Array(padding.paddedNumSamples);
        padded.set(padding.paddedNumSamples >= x.length ? x : x.subarray(0, padding.paddedNumSamples));
        x = padded;
        frames = this.plan.numFrames(x.length);
      } else {
        frames = Math.ceil(this.plan.numFrames(x.length) / this.segmentFrames) * this.segmentFrames;
      }
    } else {
      frames = this.plan.numFrames(x.length);
    }
    const fb = this.filterbank;
    const numFilters = fb.numFilters;
    const data = new Float32Array(frames * numFilters);
    const filtered = new Float64Array(numFilters);
    // The WebAssembly SIMD path (same values to rounding) for float32 signals; JS otherwise.
    const viaWasm =
      x instanceof Float32Array &&
      wasmFilteredFrames(x, this.plan.wasmFrameSource, fb, frames, (first, count, values) => {
        const base = first * numFilters;
        const total = count * numFilters;
        for (let i = 0; i < total; i++) data[base + i] = Math.log10(values[i] + 1);
      });
    if (!viaWasm) this.plan.forEachFrame(
      x,
      1,
      (t, magnitude) => {
        applyFilterbankToFrame(fb, magnitude, filtered, 0);
        const base = t * numFilters;
        for (let f = 0; f < numFilters; f++) data[base + f] = Math.log10(filtered[f] + 1);
      },
      frames,
    );
    return {
      data,
      frames,
      bins: numFilters,
      sampleRate: this.sampleRate,
      hopLength: this.hopLength,
      frameRate: this.sampleRate / this.hopLength,
      nFft: this.plan.config.nFft,
      binFrequenciesHz: fb.centerFrequenciesHz,
      scale: 'log',
    };
  }
}

const processorCache = new Map<string, LogFilteredSpectrogramProcessor>();
const PROCESSOR_CACHE_SIZE = 16;

/**
 * Log-filtered magnitude spectrogram of a mono signal, `[frames, filters]` (84 filters at
 * 44.1 kHz, 100 frames per second). Processors are cached per sample rate and options.
 *
 * @param signal - mono samples [samples] (mix channels first with `toMono`)
 * @param sampleRate - [Hz]
 * @param options - see {@link LogFilteredSpectrogramOptions}
 * @returns `[frames, filters]` with metadata
 * @throws {@link AudioError} on an empty signal or bad sample rate, {@link NonFiniteError} on
 *   NaN/infinite samples, {@link InvalidArgumentError} on bad options.
 * @example
 * ```ts
 * import { logFilteredSpectrogram } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 3 * 44100 }, (_, i) => Math.sin(i / 7));
 * const thesis = logFilteredSpectrogram(signal, 44100); // 301 frames x 84
 * const segments = logFilteredSpectrogram(signal, 44100, { padToSegments: true }); // 400 x 84
 * const madmom = logFilteredSpectrogram(signal, 44100, { preset: 'madmom' }); // 300 x 84
 * console.log(thesis.frames, segments.frames, madmom.frames);
 * ```
 */
export function logFilteredSpectrogram(signal: SignalLike, sampleRate: number, options: LogFilteredSpectrogramOptions = {}): Spectrogram {
  assertOptions(options);
  const key = JSON.stringify([sampleRate, options.preset, options.padToSegments, options.segmentFrames, options.compat, options.filterbank]);
  let processor = processorCache.get(key);
  if (!processor) {
    processor = new LogFilteredSpectrogramProcessor(sampleRate, options);
    if (processorCache.size >= PROCESSOR_CACHE_SIZE) processorCache.delete(processorCache.keys().next().value as string);
    processorCache.set(key, processor);
  }
  return processor.process(signal);
}
