/**
 * Mel scale and mel filterbanks, following librosa's conventions (`librosa.filters.mel`,
 * librosa 0.10):
 *
 * - Scale `'slaney'` (librosa default, `htk=False`; Slaney's Auditory Toolbox): linear
 *   below 1 kHz (`mel = f / (200 / 3)`, so 1000 Hz = 15 mel), logarithmic above
 *   (`mel = 15 + ln(f / 1000) / (ln(6.4) / 27)`).
 * - Scale `'htk'`: `mel = 2595 log10(1 + f / 700)`.
 * - `numMels + 2` points equally spaced in mel between `fMinHz` and `fMaxHz` give the
 *   (lower edge, centre, upper edge) of each triangle; the triangles are evaluated at the
 *   FFT bin frequencies `k * sampleRate / nFft`, k = 0..nFft/2 (Nyquist included), as
 *   `max(0, min(rising, falling))` in Hz.
 * - Normalisation `'slaney'` (librosa default `norm='slaney'`): each triangle is scaled by
 *   `2 / (upper - lower)` [1/Hz], i.e. unit area in Hz (so the weights of a filter sum to
 *   about `nFft / sampleRate`); `'none'`: peak 1 (torchaudio's default `norm=None`, and
 *   neighbouring unnormalised triangles sum to 1 between the first and last centre).
 *
 * torchaudio's `melscale_fbanks` uses the same construction with `mel_scale='htk'` and
 * `norm=None` by default.
 */
import { InvalidArgumentError } from '../errors.js';
import { N_FFT } from './constants.js';
import { buildFilterbank, type FilterSpec, type Filterbank } from './filterbank.js';
import {
  assertFiniteNumber,
  assertOneOf,
  assertOptions,
  assertPositiveInteger,
  assertPowerOfTwo,
  assertSampleRate,
} from './validate.js';

/** Mel scale formula. */
export type MelScale = 'slaney' | 'htk';

const F_SP = 200 / 3; // Hz per mel below 1 kHz (Slaney)
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOG_STEP = Math.log(6.4) / 27;

/**
 * Frequency [Hz] to mel.
 * @param frequencyHz - [Hz], >= 0
 * @param scale - see {@link MelScale} @defaultValue 'slaney'
 * @returns [mel]
 */
export function hzToMel(frequencyHz: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + frequencyHz / 700);
  return frequencyHz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(frequencyHz / MIN_LOG_HZ) / LOG_STEP : frequencyHz / F_SP;
}

/**
 * Mel to frequency [Hz] (inverse of {@link hzToMel}).
 * @param mel - [mel]
 * @param scale - see {@link MelScale} @defaultValue 'slaney'
 * @returns [Hz]
 */
export function melToHz(mel: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** Options of {@link melFilterbank}. */
export interface MelFilterbankOptions {
  /** FFT size [samples], a power of two. @defaultValue 2048 */
  nFft?: number;
  /** Number of mel bands. @defaultValue 128 */
  numMels?: number;
  /** Lower edge of the first band [Hz]. @defaultValue 0 */
  fMinHz?: number;
  /** Upper edge of the last band [Hz]. @defaultValue sampleRate / 2 */
  fMaxHz?: number;
  /** Mel formula. @defaultValue 'slaney' */
  scale?: MelScale;
  /** `'slaney'`: unit area in Hz; `'none'`: peak 1. @defaultValue 'slaney' */
  norm?: 'slaney' | 'none';
}

/**
 * Mel filterbank over the `nFft / 2 + 1` bins of a one-sided spectrum, librosa-compatible
 * (see the module comment).
 * @param sampleRate - [Hz]
 * @param options - see {@link MelFilterbankOptions}
 * @returns a sparse {@link Filterbank}; `centerFrequenciesHz` are the band centres
 * @throws {@link AudioError} on a bad sample rate, {@link InvalidArgumentError} on bad options.
 * @example
 * ```ts
 * import { applyFilterbank, melFilterbank, powerSpectrogram } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 22050 }, (_, i) => Math.sin(i / 7));
 * const mel = melFilterbank(22050, { numMels: 80, scale: 'htk', norm: 'none' });
 * const melSpec = applyFilterbank(powerSpectrogram(signal, 22050), mel);
 * console.log(melSpec.bins); // 80
 * ```
 */
export function melFilterbank(sampleRate: number, options: MelFilterbankOptions = {}): Filterbank {
  assertSampleRate(sampleRate);
  assertOptions(options);
  const nFft = options.nFft ?? N_FFT;
  const numMels = options.numMels ?? 128;
  const fMinHz = options.fMinHz ?? 0;
  const fMaxHz = options.fMaxHz ?? sampleRate / 2;
  const scale = options.scale ?? 'slaney';
  const norm = options.norm ?? 'slaney';
  assertPowerOfTwo(nFft, 'options.nFft');
  assertPositiveInteger(numMels, 'options.numMels');
  assertFiniteNumber(fMinHz, 'options.fMinHz');
  assertFiniteNumber(fMaxHz, 'options.fMaxHz');
  assertOneOf(scale, ['slaney', 'htk'] as const, 'options.scale');
  assertOneOf(norm, ['slaney', 'none'] as const, 'options.norm');
  if (fMinHz < 0 || fMaxHz <= fMinHz) {
    throw new InvalidArgumentError(`mel range must satisfy 0 <= fMinHz < fMaxHz, got fMinHz ${fMinHz}, fMaxHz ${fMaxHz}`, { field: 'options.fMaxHz' });
  }
  const numBins = nFft / 2 + 1;
  const binFrequenciesHz = new Float64Array(numBins);
  for (let k = 0; k < numBins; k++) binFrequenciesHz[k] = (k * sampleRate) / nFft;
  // mel_frequencies(numMels + 2, fmin, fmax): equally spaced in mel (np.linspace with endpoint).
  const melMin = hzToMel(fMinHz, scale);
  const melMax = hzToMel(fMaxHz, scale);
  const edges = new Float64Array(numMels + 2);
  const melStep = (melMax - melMin) / (numMels + 1);
  for (let i = 0; i < numMels + 2; i++) edges[i] = melToHz(i === numMels + 1 ? melMax : melMin + i * melStep, scale);
  const filters: FilterSpec[] = [];
  for (let m = 0; m < numMels; m++) {
    const lower = edges[m];
    const center = edges[m + 1];
    const upper = edges[m + 2];
    const enorm = norm === 'slaney' ? 2 / (upper - lower) : 1;
    const weights = new Float64Array(numBins);
    for (let k = 0; k < numBins; k++) {
      const f = binFrequenciesHz[k];
      const rising = (f - lower) / (center - lower);
      const falling = (upper - f) / (upper - center);
      weights[k] = Math.max(0, Math.min(rising, falling)) * enorm;
    }
    filters.push({ start: 0, weights, centerFrequencyHz: center });
  }
  return buildFilterbank(filters, { numBins, binFrequenciesHz, sampleRate, nFft });
}
