/**
 * Filterbanks stored sparsely: each filter keeps only the bins between its first and last
 * non-zero weight, so applying one costs a short dot product per filter instead of a
 * dense `[filters, bins]` matrix product (a log filterbank is ~97 % zeros).
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Spectrogram } from './spectrogram.js';
import { assertMatrix, assertOneOf, assertOptions } from './validate.js';

/** A bank of filters over FFT bins, stored sparsely (see the module comment). */
export interface Filterbank {
  /** Number of FFT bins the filters apply to (1025 for a 2048-point FFT with Nyquist). */
  numBins: number;
  /** Number of filters. */
  numFilters: number;
  /** First bin of each filter with a stored weight [numFilters]. */
  starts: Int32Array;
  /**
   * Where each filter's weights lie in `weights` (length numFilters + 1): filter `f` has weights
   * `weights[offsets[f] .. offsets[f + 1])` for bins `starts[f], starts[f] + 1, ...`.
   */
  offsets: Int32Array;
  /** Concatenated weights of all filters (float32, as the references store them). */
  weights: Float32Array;
  /** Centre frequency of each filter [Hz] [numFilters]. */
  centerFrequenciesHz: Float64Array;
  /** Frequency of each FFT bin [Hz] [numBins]. */
  binFrequenciesHz: Float64Array;
  /** Sample rate the filterbank was designed for [Hz]. */
  sampleRate: number;
  /** FFT size the filterbank was designed for [samples]. */
  nFft: number;
}

/** One filter while a filterbank is being built: weights for bins `start, start + 1, ...`. */
export interface FilterSpec {
  /** First bin. */
  start: number;
  /** Weights (zeros at either end are trimmed). */
  weights: ArrayLike<number>;
  /** Centre frequency [Hz]. */
  centerFrequencyHz: number;
}

/**
 * Builds a sparse {@link Filterbank} from per-filter weights (internal helper of the
 * filterbank designers; leading and trailing zero weights are dropped, interior zeros kept).
 */
export function buildFilterbank(
  filters: readonly FilterSpec[],
  meta: { numBins: number; binFrequenciesHz: Float64Array; sampleRate: number; nFft: number },
): Filterbank {
  const numFilters = filters.length;
  const starts = new Int32Array(numFilters);
  const offsets = new Int32Array(numFilters + 1);
  const centerFrequenciesHz = new Float64Array(numFilters);
  const trimmed: Array<[number, number]> = [];
  let total = 0;
  filters.forEach((filter, f) => {
    let lo = 0;
    let hi = filter.weights.length;
    while (lo < hi && filter.weights[lo] === 0) lo++;
    while (hi > lo && filter.weights[hi - 1] === 0) hi--;
    if (lo === hi) lo = hi = 0; // an all-zero filter keeps no weights
    trimmed.push([lo, hi]);
    starts[f] = Math.min(Math.max(filter.start + lo, 0), meta.numBins);
    offsets[f] = total;
    total += hi - lo;
    centerFrequenciesHz[f] = filter.centerFrequencyHz;
  });
  offsets[numFilters] = total;
  const weights = new Float32Array(total);
  filters.forEach((filter, f) => {
    const [lo, hi] = trimmed[f];
    if (filter.start + lo < 0 || filter.start + hi > meta.numBins) {
      throw new InvalidArgumentError(`filter ${f} covers bins ${filter.start + lo}..${filter.start + hi - 1}, outside 0..${meta.numBins - 1}`);
    }
    for (let k = lo; k < hi; k++) weights[offsets[f] + k - lo] = filter.weights[k];
  });
  return { ...meta, numFilters, starts, offsets, weights, centerFrequenciesHz };
}

/**
 * Applies a filterbank to one spectrum (internal hot path, no checks).
 * @param spectrum - [numBins]
 * @param out - receives `numFilters` values at `out[outOffset + f]`
 */
export function applyFilterbankToFrame(
  filterbank: Filterbank,
  spectrum: ArrayLike<number>,
  out: Float32Array | Float64Array,
  outOffset: number,
): void {
  const { starts, offsets, weights, numFilters } = filterbank;
  for (let f = 0; f < numFilters; f++) {
    const begin = offsets[f];
    const end = offsets[f + 1];
    let sum = 0;
    for (let w = begin, k = starts[f]; w < end; w++, k++) sum += weights[w] * spectrum[k];
    out[outOffset + f] = sum;
  }
}

/**
 * Applies a filterbank to every frame of a spectrogram: `out[t, f] = sum_k W[f, k] X[t, k]`.
 * @param spectrogram - `[frames, numBins]` linear magnitude or power
 * @param filterbank - see {@link Filterbank}
 * @returns `[frames, numFilters]`, with `binFrequenciesHz` = filter centre frequencies
 * @throws {@link ShapeError} when `spectrogram.bins !== filterbank.numBins`.
 * @example
 * ```ts
 * import { applyFilterbank, magnitudeSpectrogram, thesisLogFilterbank } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 44100 }, (_, i) => Math.sin(i / 7));
 * const filtered = applyFilterbank(magnitudeSpectrogram(signal, 44100), thesisLogFilterbank(44100));
 * console.log(filtered.frames, filtered.bins); // 101 84
 * ```
 */
export function applyFilterbank<T extends Spectrogram>(spectrogram: T, filterbank: Filterbank): T {
  assertMatrix(spectrogram, 'spectrogram');
  if (spectrogram.bins !== filterbank.numBins) {
    const hint = spectrogram.bins === filterbank.numBins + 1 ? ' (drop the Nyquist bin: includeNyquist: false)'
      : spectrogram.bins + 1 === filterbank.numBins ? ' (the filterbank expects the Nyquist bin: includeNyquist: true)' : '';
    throw new ShapeError(`spectrogram has ${spectrogram.bins} bins but the filterbank expects ${filterbank.numBins}${hint}`, { field: 'spectrogram' });
  }
  const { frames, bins, data } = spectrogram;
  const out = new Float32Array(frames * filterbank.numFilters);
  for (let t = 0; t < frames; t++) {
    applyFilterbankToFrame(filterbank, data.subarray(t * bins, (t + 1) * bins), out, t * filterbank.numFilters);
  }
  return { ...spectrogram, data: out, bins: filterbank.numFilters, binFrequenciesHz: filterbank.centerFrequenciesHz };
}

/** Options of {@link filterbankToDense}. */
export interface FilterbankToDenseOptions {
  /**
   * `'filters-bins'`: `[numFilters, numBins]` (the thesis / torch layout);
   * `'bins-filters'`: `[numBins, numFilters]` (the madmom layout).
   * @defaultValue 'filters-bins'
   */
  layout?: 'filters-bins' | 'bins-filters';
}

/**
 * Dense matrix of a filterbank, row-major.
 * @param filterbank - see {@link Filterbank}
 * @param options - see {@link FilterbankToDenseOptions}
 * @returns Float32Array of `numFilters * numBins` values in the chosen layout
 */
export function filterbankToDense(filterbank: Filterbank, options: FilterbankToDenseOptions = {}): Float32Array {
  assertOptions(options);
  const layout = options.layout ?? 'filters-bins';
  assertOneOf(layout, ['filters-bins', 'bins-filters'] as const, 'options.layout');
  const { numBins, numFilters, starts, offsets, weights } = filterbank;
  const out = new Float32Array(numBins * numFilters);
  for (let f = 0; f < numFilters; f++) {
    for (let w = offsets[f], k = starts[f]; w < offsets[f + 1]; w++, k++) {
      out[layout === 'filters-bins' ? f * numBins + k : k * numFilters + f] = weights[w];
    }
  }
  return out;
}
