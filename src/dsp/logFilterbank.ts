/**
 * Logarithmically spaced triangular filterbanks, in the two flavours adtkit must
 * reproduce exactly (SPEC §2):
 *
 * - {@link thesisLogFilterbank}: `io/load.py: compute_log_filterbank` of the thesis code.
 *   It computes in float32 (torch); the arithmetic is emulated here with `Math.fround`
 *   where it decides which FFT bin a frequency snaps to. Its quirks are kept on purpose:
 *   the centre frequencies are `440 * 2^(k / bandsPerOctave)` with the literal 440 (only the
 *   range of k depends on `fRefHz`); the FFT bins include Nyquist (`nFft / 2 + 1`); the
 *   triangle edges are `linspace` **with** both endpoints, so a triangle has two samples
 *   equal to 1 when it is at least two bins wide, and `linspace(0, 1, 1) = [0]`.
 * - {@link madmomLogFilterbank}: madmom's `LogarithmicFilterbank` (float64 design, float32
 *   storage): `fRefHz * 2^(k / bandsPerOctave)`, `nFft / 2` bins (no Nyquist), triangle
 *   edges with endpoint-excluded `linspace` (a single peak of 1 at the centre bin).
 *
 * Both snap each centre frequency to the nearest bin (`searchsorted`, clipped to
 * `[1, numBins - 1]`, one bin down when the lower neighbour is strictly nearer, ties go up),
 * remove duplicate bins, and build one triangle per consecutive (start, centre, stop)
 * triple (if `stop - start < 2`, the filter is the single bin `start`), each normalised to
 * unit sum. Filter counts with the defaults: 84 at 44.1 kHz, 83 at 48 kHz, 85 at 22.05 kHz.
 */
import { InvalidArgumentError } from '../errors.js';
import {
  BANDS_PER_OCTAVE,
  LOG_FILTERBANK_F_MAX_HZ,
  LOG_FILTERBANK_F_MIN_HZ,
  LOG_FILTERBANK_F_REF_HZ,
  N_FFT,
} from './constants.js';
import { buildFilterbank, type FilterSpec, type Filterbank } from './filterbank.js';
import { assertOneOf, assertOptions, assertPositiveInteger, assertPositiveNumber, assertPowerOfTwo, assertSampleRate } from './validate.js';

/** Options of the log-spaced filterbanks. */
export interface LogFilterbankOptions {
  /** FFT size [samples], a power of two. @defaultValue 2048 */
  nFft?: number;
  /** Lowest centre frequency kept [Hz]. @defaultValue 20 */
  fMinHz?: number;
  /** Highest centre frequency kept [Hz]. @defaultValue 20000 */
  fMaxHz?: number;
  /** Reference frequency the bands are aligned to [Hz]. @defaultValue 440 */
  fRefHz?: number;
  /** Bands per octave. @defaultValue 12 */
  bandsPerOctave?: number;
  /** Divide each filter by its sum. @defaultValue true */
  normalize?: boolean;
}

interface ResolvedLogOptions {
  nFft: number;
  fMinHz: number;
  fMaxHz: number;
  fRefHz: number;
  bandsPerOctave: number;
  normalize: boolean;
}

function resolveOptions(sampleRate: number, options: LogFilterbankOptions): ResolvedLogOptions {
  assertSampleRate(sampleRate);
  assertOptions(options);
  const resolved = {
    nFft: options.nFft ?? N_FFT,
    fMinHz: options.fMinHz ?? LOG_FILTERBANK_F_MIN_HZ,
    fMaxHz: options.fMaxHz ?? LOG_FILTERBANK_F_MAX_HZ,
    fRefHz: options.fRefHz ?? LOG_FILTERBANK_F_REF_HZ,
    bandsPerOctave: options.bandsPerOctave ?? BANDS_PER_OCTAVE,
    normalize: options.normalize ?? true,
  };
  assertPowerOfTwo(resolved.nFft, 'options.nFft');
  assertPositiveNumber(resolved.fMinHz, 'options.fMinHz');
  assertPositiveNumber(resolved.fMaxHz, 'options.fMaxHz');
  assertPositiveNumber(resolved.fRefHz, 'options.fRefHz');
  assertPositiveInteger(resolved.bandsPerOctave, 'options.bandsPerOctave');
  assertOneOf(resolved.normalize, [true, false], 'options.normalize');
  if (resolved.fMaxHz <= resolved.fMinHz) {
    throw new InvalidArgumentError(`options.fMaxHz (${resolved.fMaxHz}) must be greater than options.fMinHz (${resolved.fMinHz})`, {
      field: 'options.fMaxHz',
    });
  }
  return resolved;
}

/** numpy/torch `searchsorted(sorted, value, side='left')`: first index with sorted[i] >= value. */
function searchSortedLeft(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Snaps frequencies to FFT bin indices (searchsorted, clip, step down when the left
 * neighbour is strictly nearer), then sorts and removes duplicates.
 * @param subtract - the subtraction used in the nearness test (float32 for the thesis).
 */
function snapToBins(frequencies: number[], bins: ArrayLike<number>, subtract: (a: number, b: number) => number): number[] {
  const indices = frequencies.map((f) => {
    let index = Math.min(Math.max(searchSortedLeft(bins, f), 1), bins.length - 1);
    if (subtract(f, bins[index - 1]) < subtract(bins[index], f)) index -= 1;
    return index;
  });
  return [...new Set(indices)].sort((a, b) => a - b);
}

function tooFewBins(unique: number[], sampleRate: number, options: ResolvedLogOptions): never {
  throw new InvalidArgumentError(
    `log filterbank for sampleRate ${sampleRate} Hz, nFft ${options.nFft}, ${options.fMinHz}-${options.fMaxHz} Hz has ` +
      `${unique.length} distinct bins; at least 3 are needed for one filter (raise nFft or widen the frequency range)`,
    { field: 'options' },
  );
}

/**
 * The thesis log-spaced filterbank (`compute_log_filterbank` of the reference), see the
 * module comment for its conventions and quirks.
 *
 * @param sampleRate - [Hz]
 * @param options - see {@link LogFilterbankOptions}
 * @returns a sparse {@link Filterbank} over `nFft / 2 + 1` bins (84 filters at 44.1 kHz)
 * @throws {@link AudioError} on a bad sample rate, {@link InvalidArgumentError} on bad options
 *   or when the range yields no filter.
 * @example
 * ```ts
 * import { thesisLogFilterbank } from 'adtkit/dsp';
 * const fb = thesisLogFilterbank(44100);
 * console.log(fb.numFilters, fb.numBins); // 84 1025
 * ```
 */
export function thesisLogFilterbank(sampleRate: number, options: LogFilterbankOptions = {}): Filterbank {
  const o = resolveOptions(sampleRate, options);
  const f32 = Math.fround;
  const numBins = o.nFft / 2 + 1;
  // torch.floor(torch.log2(torch.tensor(f_min) / f_ref) * bands_per_octave), all float32.
  const kLeft = Math.floor(f32(f32(Math.log2(f32(o.fMinHz / o.fRefHz))) * o.bandsPerOctave));
  const kRight = Math.ceil(f32(f32(Math.log2(f32(o.fMaxHz / o.fRefHz))) * o.bandsPerOctave));
  // 440 * torch.pow(2, torch.arange(left, right) / bands_per_octave): literal 440 (reference quirk).
  const frequencies: number[] = [];
  for (let k = kLeft; k < kRight; k++) {
    const f = f32(440 * f32(Math.pow(2, f32(k / o.bandsPerOctave))));
    if (o.fMinHz <= f && f <= o.fMaxHz) frequencies.push(f);
  }
  // torch.fft.rfftfreq(n_fft, 1 / sr): arange(n/2 + 1) * (1 / (n * d)) in float32.
  const step = f32(1 / (o.nFft * (1 / sampleRate)));
  const bins = new Float64Array(numBins);
  for (let k = 0; k < numBins; k++) bins[k] = f32(k * step);
  const indices = snapToBins(frequencies, bins, (a, b) => f32(a - b));
  if (indices.length < 3) tooFewBins(indices, sampleRate, o);

  const filters: FilterSpec[] = [];
  for (let i = 0; i + 2 < indices.length; i++) {
    const start = indices[i];
    let center = indices[i + 1];
    let stop = indices[i + 2];
    if (stop - start < 2) {
      center = start;
      stop = start + 1;
    }
    const weights = new Float64Array(stop - start);
    // torch.linspace(0, 1, center - start) and torch.linspace(1, 0, stop - center), float32.
    torchLinspace(0, 1, center - start, weights, 0);
    torchLinspace(1, 0, stop - center, weights, center - start);
    if (o.normalize) {
      let sum = 0;
      for (const w of weights) sum += w;
      for (let k = 0; k < weights.length; k++) weights[k] = f32(weights[k] / f32(sum));
    }
    filters.push({ start, weights, centerFrequencyHz: bins[center] });
  }
  const binFrequenciesHz = new Float64Array(numBins);
  for (let k = 0; k < numBins; k++) binFrequenciesHz[k] = (k * sampleRate) / o.nFft;
  return buildFilterbank(filters, { numBins, binFrequenciesHz, sampleRate, nFft: o.nFft });
}

/**
 * `torch.linspace(start, end, steps)` in float32 (ATen's CPU kernel: float step, values
 * computed from the start for the first half and from the end for the second half).
 */
function torchLinspace(start: number, end: number, steps: number, out: Float64Array, offset: number): void {
  if (steps <= 0) return;
  if (steps === 1) {
    out[offset] = start;
    return;
  }
  const f32 = Math.fround;
  const step = f32((end - start) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    out[offset + i] = i < halfway ? f32(start + f32(step * i)) : f32(end - f32(step * (steps - i - 1)));
  }
}

/**
 * madmom's `LogarithmicFilterbank(fft_frequencies(nFft / 2, sr), num_bands, fmin, fmax, fref,
 * norm_filters, unique_filters=True)`, see the module comment.
 *
 * @param sampleRate - [Hz]
 * @param options - see {@link LogFilterbankOptions}
 * @returns a sparse {@link Filterbank} over `nFft / 2` bins (no Nyquist; 84 filters at 44.1 kHz)
 * @throws {@link AudioError} on a bad sample rate, {@link InvalidArgumentError} on bad options
 *   or when the range yields no filter.
 * @example
 * ```ts
 * import { madmomLogFilterbank } from 'adtkit/dsp';
 * const fb = madmomLogFilterbank(44100);
 * console.log(fb.numFilters, fb.numBins); // 84 1024
 * ```
 */
export function madmomLogFilterbank(sampleRate: number, options: LogFilterbankOptions = {}): Filterbank {
  const o = resolveOptions(sampleRate, options);
  const numBins = o.nFft / 2;
  // log_frequencies(): float64 throughout.
  const kLeft = Math.floor(Math.log2(o.fMinHz / o.fRefHz) * o.bandsPerOctave);
  const kRight = Math.ceil(Math.log2(o.fMaxHz / o.fRefHz) * o.bandsPerOctave);
  const frequencies: number[] = [];
  for (let k = kLeft; k < kRight; k++) {
    const f = o.fRefHz * 2 ** (k / o.bandsPerOctave);
    if (f >= o.fMinHz && f <= o.fMaxHz) frequencies.push(f);
  }
  // fft_frequencies(): np.fft.fftfreq(nFft, 1 / sr)[:nFft / 2] = k * (1 / (n * d)).
  const scale = 1 / (o.nFft * (1 / sampleRate));
  const binFrequenciesHz = new Float64Array(numBins);
  for (let k = 0; k < numBins; k++) binFrequenciesHz[k] = k * scale;
  const indices = snapToBins(frequencies, binFrequenciesHz, (a, b) => a - b);
  if (indices.length < 3) tooFewBins(indices, sampleRate, o);

  const filters: FilterSpec[] = [];
  for (let i = 0; i + 2 < indices.length; i++) {
    const start = indices[i];
    let center = indices[i + 1];
    let stop = indices[i + 2];
    if (stop - start < 2) {
      center = start;
      stop = start + 1;
    }
    // TriangularFilter: np.linspace(0, 1, c, endpoint=False), np.linspace(1, 0, s - c, endpoint=False).
    const rise = center - start;
    const fall = stop - center;
    const weights = new Float64Array(stop - start);
    for (let j = 0; j < rise; j++) weights[j] = j * (1 / rise);
    for (let j = 0; j < fall; j++) weights[rise + j] = j * (-1 / fall) + 1;
    if (o.normalize) {
      let sum = 0;
      for (const w of weights) sum += w;
      for (let k = 0; k < weights.length; k++) weights[k] /= sum;
    }
    filters.push({ start, weights, centerFrequencyHz: binFrequenciesHz[center] });
  }
  return buildFilterbank(filters, { numBins, binFrequenciesHz, sampleRate, nFft: o.nFft });
}
