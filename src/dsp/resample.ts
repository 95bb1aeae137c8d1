/**
 * Band-limited resampling between any two sample rates.
 *
 * Design: a Kaiser-windowed sinc low-pass (Kaiser 1974 design formulas), evaluated as a
 * polyphase filter.
 *
 * - The pass band ends at `passbandEdge` (default 0.85, resampy's `kaiser_fast` roll-off) times the lower of the two Nyquist
 *   frequencies and the stop band starts **at** that Nyquist frequency, so any tone that
 *   cannot be represented at the new rate is attenuated by at least
 *   `stopbandAttenuationDb` (default 80 dB), and tones in the pass band pass with a ripple
 *   of `10^(-A/20)` (1e-4 at 80 dB). The cut-off is the middle of the transition band; the
 *   Kaiser `beta` and the filter length follow from the attenuation and the transition
 *   width (`N = (A - 7.95) / (2.285 * 2 pi * width)`).
 * - For integer rates with a reduced ratio `L / M = toRate / fromRate` and `L <= 4096`
 *   (every common pair: 48000 → 44100 is 147 / 160), the `L` phases of the filter are
 *   tabulated once and each output sample is one dot product of about
 *   `N` input samples with one table row (cost per output sample ~ N multiply-adds,
 *   independent of L and M). Each phase is normalised to unit DC gain.
 * - Other ratios (non-integer rates, or huge L) evaluate the kernel per output sample from
 *   a table oversampled 512 times with linear interpolation (slower, same response).
 *
 * Output sample n sits at input time `n * fromRate / toRate` (the first samples coincide);
 * the output has `ceil(N * toRate / fromRate)` samples; the signal is taken as zero outside
 * its ends. Hand-written because no well-kept, dependency-free JS resampler with a stated
 * stop-band guarantee fits in a pure-TS, browser-and-Node package.
 */
import { InvalidArgumentError } from '../errors.js';
import { assertOptions, assertSampleRate, checkSignal, describe, type SignalLike } from './validate.js';

/** Filter options of {@link resample}. */
export interface ResampleFilterOptions {
  /** End of the pass band as a fraction of the lower Nyquist frequency, in (0, 1). @defaultValue 0.85 */
  passbandEdge?: number;
  /** Stop-band attenuation (and pass-band ripple) target [dB], in [20, 200]. @defaultValue 80 */
  stopbandAttenuationDb?: number;
}

/** Options of {@link resample}: the two rates and the filter options. */
export interface ResampleOptions extends ResampleFilterOptions {
  /** Sample rate of the input [Hz]. */
  fromRate: number;
  /** Sample rate of the output [Hz]. */
  toRate: number;
}

/** Longest polyphase table kept (phases); beyond it the kernel is interpolated. */
const MAX_PHASES = 4096;
/** Oversampling of the interpolated kernel table. */
const KERNEL_OVERSAMPLING = 512;

/** Kernel design, in units of input samples. */
interface Kernel {
  /** Cut-off [cycles per input sample]. */
  cutoff: number;
  /** Half-width of the kernel's support [input samples]. */
  halfWidth: number;
  /** Kaiser beta. */
  beta: number;
  /** Taps per output sample (even). */
  taps: number;
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function designKernel(fromRate: number, toRate: number, passbandEdge: number, attenuationDb: number): Kernel {
  const scale = Math.min(1, toRate / fromRate);
  const passEnd = 0.5 * scale * passbandEdge;
  const stopStart = 0.5 * scale;
  const width = stopStart - passEnd;
  const cutoff = (passEnd + stopStart) / 2;
  const a = attenuationDb;
  const beta = a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21) : 0;
  const length = (a - 7.95) / (2.285 * 2 * Math.PI * width) + 1;
  const halfWidth = length / 2;
  // Taps per output: the support (-halfWidth, halfWidth) rounded up to a multiple of 4 (the
  // dot product below is unrolled by 4; the extra taps fall outside the support and are 0).
  return { cutoff, halfWidth, beta, taps: 4 * Math.ceil(halfWidth / 2) };
}

/** The continuous kernel h(t), t in input samples. */
function kernelAt(t: number, kernel: Kernel, i0Beta: number): number {
  const u = t / kernel.halfWidth;
  if (u <= -1 || u >= 1) return 0;
  const x = 2 * kernel.cutoff * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return 2 * kernel.cutoff * sinc * (besselI0(kernel.beta * Math.sqrt(1 - u * u)) / i0Beta);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Resamples a mono signal from `fromRate` to `toRate` (band-limited; see the module
 * comment for the filter design). Two call forms:
 * `resample(signal, { fromRate, toRate, ...filterOptions })` and
 * `resample(signal, fromRate, toRate, filterOptions?)`.
 *
 * @param signal - mono samples at `fromRate` [samples]
 * @param options - rates [Hz] and filter options, see {@link ResampleOptions}
 * @returns Float32Array of `ceil(N * toRate / fromRate)` samples at `toRate` (a copy when the
 *   rates are equal)
 * @throws {@link AudioError} on an empty signal or a bad rate, {@link NonFiniteError} on
 *   NaN/infinite samples, {@link InvalidArgumentError} on bad options.
 * @example
 * ```ts
 * import { resample } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 48000 }, (_, i) => Math.sin(i / 7));
 * const at44k = resample(signal, { fromRate: 48000, toRate: 44100 });
 * const same = resample(signal, 48000, 44100);
 * console.log(at44k.length, same.length); // 44100 44100
 * ```
 */
export function resample(signal: SignalLike, options: ResampleOptions): Float32Array;
/**
 * Positional form of {@link resample}.
 * @param signal - mono samples at `fromRate` [samples]
 * @param fromRate - input sample rate [Hz]
 * @param toRate - output sample rate [Hz]
 * @param options - see {@link ResampleFilterOptions}
 */
export function resample(signal: SignalLike, fromRate: number, toRate: number, options?: ResampleFilterOptions): Float32Array;
export function resample(
  signal: SignalLike,
  optionsOrFromRate: ResampleOptions | number,
  toRateArg?: number,
  filterOptions: ResampleFilterOptions = {},
): Float32Array {
  let options: ResampleOptions;
  if (typeof optionsOrFromRate === 'number') {
    assertOptions(filterOptions);
    options = { ...filterOptions, fromRate: optionsOrFromRate, toRate: toRateArg as number };
  } else {
    if (optionsOrFromRate === null || typeof optionsOrFromRate !== 'object' || Array.isArray(optionsOrFromRate)) {
      throw new InvalidArgumentError(`options must be { fromRate, toRate } [Hz] or a number (fromRate), got ${describe(optionsOrFromRate)}`, {
        field: 'options',
      });
    }
    options = optionsOrFromRate;
  }
  const { fromRate, toRate } = options;
  const rateField = typeof optionsOrFromRate === 'number' ? '' : 'options.';
  assertSampleRate(fromRate, `${rateField}fromRate`);
  assertSampleRate(toRate, `${rateField}toRate`);
  const passbandEdge = options.passbandEdge ?? 0.85;
  const attenuationDb = options.stopbandAttenuationDb ?? 80;
  if (typeof passbandEdge !== 'number' || !(passbandEdge > 0 && passbandEdge < 1)) {
    throw new InvalidArgumentError(`options.passbandEdge must be in (0, 1) (a fraction of the lower Nyquist frequency), got ${describe(passbandEdge)}`, {
      field: 'options.passbandEdge',
    });
  }
  if (typeof attenuationDb !== 'number' || !(attenuationDb >= 20 && attenuationDb <= 200)) {
    throw new InvalidArgumentError(`options.stopbandAttenuationDb must be in [20, 200] dB, got ${describe(attenuationDb)}`, {
      field: 'options.stopbandAttenuationDb',
    });
  }
  const x = checkSignal(signal);
  if (fromRate === toRate) return Float32Array.from(x);
  const kernel = designKernel(fromRate, toRate, passbandEdge, attenuationDb);
  if (Number.isInteger(fromRate) && Number.isInteger(toRate)) {
    const g = gcd(fromRate, toRate);
    const up = toRate / g;
    const down = fromRate / g;
    if (up <= MAX_PHASES) return resamplePolyphase(x, up, down, kernel);
  }
  return resampleInterpolated(x, fromRate, toRate, kernel);
}

/** Rational-ratio path: one tabulated phase per output position modulo `up`. */
function resamplePolyphase(x: Float32Array | Float64Array, up: number, down: number, kernel: Kernel): Float32Array {
  const { taps } = kernel;
  const half = taps / 2;
  const i0Beta = besselI0(kernel.beta);
  // Row p holds h(p / up + half - 1 - j) for j = 0..taps-1: the weight of input sample
  // base - half + 1 + j for an output at input time base + p / up.
  const table = new Float64Array(up * taps);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const h = kernelAt(p / up + half - 1 - j, kernel, i0Beta);
      table[p * taps + j] = h;
      sum += h;
    }
    for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
  }
  const n = x.length;
  const outLength = Math.ceil((n * up) / down);
  const out = new Float32Array(outLength);
  const step = Math.floor(down / up);
  const stepRemainder = down % up;
  let base = 0;
  let phase = 0;
  for (let i = 0; i < outLength; i++) {
    const first = base - half + 1;
    const row = phase * taps;
    let acc = 0;
    if (first >= 0 && first + taps <= n) {
      // Four independent accumulators: the adds no longer wait on each other.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0, k = first, r = row; j < taps; j += 4, k += 4, r += 4) {
        a0 += x[k] * table[r];
        a1 += x[k + 1] * table[r + 1];
        a2 += x[k + 2] * table[r + 2];
        a3 += x[k + 3] * table[r + 3];
      }
      acc = a0 + a1 + a2 + a3;
    } else {
      const lo = Math.max(0, -first);
      const hi = Math.min(taps, n - first);
      for (let j = lo; j < hi; j++) acc += x[first + j] * table[row + j];
    }
    out[i] = acc;
    base += step;
    phase += stepRemainder;
    if (phase >= up) {
      phase -= up;
      base += 1;
    }
  }
  return out;
}

/** Arbitrary-ratio path: the kernel is interpolated from an oversampled table. */
function resampleInterpolated(x: Float32Array | Float64Array, fromRate: number, toRate: number, kernel: Kernel): Float32Array {
  const { taps } = kernel;
  const half = taps / 2;
  const i0Beta = besselI0(kernel.beta);
  const tableLength = Math.ceil(kernel.halfWidth * KERNEL_OVERSAMPLING) + 2;
  const table = new Float64Array(tableLength);
  for (let i = 0; i < tableLength; i++) table[i] = kernelAt(i / KERNEL_OVERSAMPLING, kernel, i0Beta);
  const n = x.length;
  const ratio = fromRate / toRate;
  const outLength = Math.ceil(n / ratio);
  const out = new Float32Array(outLength);
  for (let i = 0; i < outLength; i++) {
    const position = i * ratio;
    const base = Math.floor(position);
    const frac = position - base;
    const first = base - half + 1;
    let acc = 0;
    let weightSum = 0;
    for (let j = 0; j < taps; j++) {
      const t = Math.abs(frac + half - 1 - j) * KERNEL_OVERSAMPLING;
      const k = Math.floor(t);
      if (k + 1 >= tableLength) continue;
      const h = table[k] + (t - k) * (table[k + 1] - table[k]);
      weightSum += h;
      const index = first + j;
      if (index >= 0 && index < n) acc += x[index] * h;
    }
    out[i] = weightSum !== 0 ? acc / weightSum : 0;
  }
  return out;
}
