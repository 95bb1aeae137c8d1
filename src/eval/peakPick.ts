import { InvalidArgumentError } from '../errors.js';
import { normalizeActivations, type ActivationsInput, type NormalizedActivations } from './activations.js';
import { passesPeakTests, thesisKeptPeaks, type PeakParams } from './peakCore.js';
import { checkOptionKeys, readBoolean, readChoice, readInteger, readNumber } from './validation.js';

/** Which semantics {@link peakPick} follows. */
export type PeakPickCompat = 'adtkit' | 'thesis';

/** Options of {@link peakPick} (Böck et al. 2012 with the parameters of Vogl et al. 2018). */
export interface PeakPickOptions {
  /**
   * m: a frame must be the maximum of frames `n - m .. n + m` (`n - m .. n` when causal) [frames].
   * @defaultValue 2
   */
  maxRadiusFrames?: number;
  /**
   * a: the mean is taken over frames `n - a .. n + a` (`n - a .. n` when causal) [frames].
   * Ignored with `compat: 'thesis'`, whose reference uses the maximum window (2m+1 frames) for
   * the mean as well (its `o` argument is unused).
   * @defaultValue 2
   */
  meanRadiusFrames?: number;
  /**
   * w: minimum distance to the previous onset [frames]. adtkit: `n >= last + w` (onsets may be
   * exactly w frames apart); thesis: `n - last > w` (more than w frames apart).
   * @defaultValue 2
   */
  minDistanceFrames?: number;
  /**
   * δ: a frame must reach the local mean plus δ (`a_n >= mean + δ`).
   * @defaultValue 0.1
   */
  delta?: number;
  /**
   * Onsets need `a_n > threshold` (strict: a peak of exactly 0.5 is not an onset, as in the
   * thesis `compute_predictions`).
   * @defaultValue 0.5
   */
  threshold?: number;
  /**
   * Use only past and present frames in both windows (Böck's online mode): no look-ahead, so
   * an onset is known as soon as its frame arrives. Not available with `compat: 'thesis'`.
   * @defaultValue false
   */
  causal?: boolean;
  /**
   * `'adtkit'`: the rules as written in the thesis text and SPEC §6 (see {@link peakPick}).
   * `'thesis'`: the thesis reference code (`evaluate.compute_peaks` followed by the
   * `> threshold` test of `compute_predictions`), edge behaviour included.
   * @defaultValue 'adtkit'
   */
  compat?: PeakPickCompat;
}

/** Peaks found by {@link peakPick}, per class. */
export interface PeakPickResult {
  /** Number of frames of the input. */
  frames: number;
  /** Number of classes of the input (1 for a curve). */
  classes: number;
  /** `peakFrames[c]`: onset frames of class `c`, increasing. */
  peakFrames: Int32Array[];
  /** `peakHeights[c][i]`: activation at `peakFrames[c][i]` (the peak height). */
  peakHeights: Float64Array[];
}

const OPTION_KEYS = ['maxRadiusFrames', 'meanRadiusFrames', 'minDistanceFrames', 'delta', 'threshold', 'causal', 'compat'] as const;

/** Hints for the names used in the papers and by madmom. */
export const PEAK_OPTION_HINTS: Readonly<Record<string, string>> = {
  m: 'maxRadiusFrames',
  a: 'meanRadiusFrames',
  o: 'meanRadiusFrames',
  w: 'minDistanceFrames',
  preMax: 'maxRadiusFrames',
  postMax: 'maxRadiusFrames',
  preAvg: 'meanRadiusFrames',
  postAvg: 'meanRadiusFrames',
  combine: 'minDistanceFrames',
};

/** Resolved options of {@link peakPick} (internal). */
export interface ResolvedPeakOptions extends PeakParams {
  compat: PeakPickCompat;
}

/** Validates {@link PeakPickOptions} and fills in defaults (internal). */
export function resolvePeakOptions(
  options: unknown,
  where: string,
  extraKeys: readonly string[] = [],
): { resolved: ResolvedPeakOptions; record: Record<string, unknown> } {
  const record = checkOptionKeys(options, [...OPTION_KEYS, ...extraKeys], where, PEAK_OPTION_HINTS);
  const compat = readChoice(record, 'compat', ['adtkit', 'thesis'] as const, 'adtkit', where);
  const resolved: ResolvedPeakOptions = {
    maxRadius: readInteger(record, 'maxRadiusFrames', 2, where),
    meanRadius: readInteger(record, 'meanRadiusFrames', 2, where),
    minDistance: readInteger(record, 'minDistanceFrames', 2, where),
    delta: readNumber(record, 'delta', 0.1, where),
    threshold: readNumber(record, 'threshold', 0.5, where),
    causal: readBoolean(record, 'causal', false, where),
    compat,
  };
  if (compat === 'thesis' && resolved.causal) {
    throw new InvalidArgumentError(`${where}: causal: true cannot be combined with compat: 'thesis' (the reference is offline)`, {
      field: 'causal',
    });
  }
  return { resolved, record };
}

/** Peak picking on normalised activations (internal; shared with activationsToEvents). */
export function peakPickNormalized(act: NormalizedActivations, p: ResolvedPeakOptions): PeakPickResult {
  const { data, frames, classes } = act;
  let found: number[][];
  if (p.compat === 'thesis') {
    // compute_predictions: onsets are the compute_peaks outputs strictly above the threshold.
    found = thesisKeptPeaks(data, 0, frames, classes, p.maxRadius, p.minDistance, p.delta).map((kept, c) =>
      kept.filter((n) => data[n * classes + c] > p.threshold),
    );
  } else {
    // Frame-major traversal: one pass over the data, all classes of a frame together.
    found = Array.from({ length: classes }, () => []);
    const last = new Float64Array(classes).fill(-Infinity);
    for (let n = 0; n < frames; n++) {
      for (let c = 0; c < classes; c++) {
        if (n - last[c] >= p.minDistance && passesPeakTests(data, classes, c, 0, frames, n, p)) {
          found[c].push(n);
          last[c] = n;
        }
      }
    }
  }
  const peakFrames = found.map((f) => Int32Array.from(f));
  const peakHeights = found.map((f, c) => Float64Array.from(f, (n) => data[n * classes + c]));
  return { frames, classes, peakFrames, peakHeights };
}

/**
 * Finds onsets in activation curves with the peak-picking method of Böck et al. (2012)
 * and the parameters of Vogl et al. (2018), per class.
 *
 * adtkit semantics (the default, as in the thesis text and SPEC §6): frame n is an onset when
 * 1. `a_n = max(a_{n-m} .. a_{n+m})`,
 * 2. `a_n >= mean(a_{n-a} .. a_{n+a}) + δ` (mean over 2a+1 frames),
 * 3. `n >= last + w`, where `last` is the previous onset of the same class (none before the
 *    first, so frames 0 and 1 can be onsets), and
 * 4. `a_n > threshold`.
 * Windows are zero-padded at both ends; only onsets (frames passing all four tests) update
 * `last`. Plateaus give an onset at their first frame and, if longer than w frames, again
 * every w frames. With `causal: true` the windows stop at frame n (mean over a+1 frames).
 *
 * `compat: 'thesis'` reproduces the thesis reference (`compute_peaks` + the `> 0.5` of
 * `compute_predictions`) exactly: float32 arithmetic, the mean over the maximum window,
 * `n - last > w` with `last` starting at `-(w-1)` (so frames 0 and 1 are never onsets),
 * and `last` updated by every window maximum, including ones below the threshold and the
 * zero-valued "peaks" of all-zero windows when δ <= 0. The input is one segment: the thesis
 * evaluates 400-frame segments independently, so call this per segment (or use
 * {@link thesisComputePeaks} on `[segments, frames, classes]`) to reproduce its counts.
 *
 * Runs in O(frames × classes × (m + a)) time.
 *
 * @param activations - one curve [frames], a frame-major {@link ActivationMatrix}
 *   [frames × classes] or rows `number[frame][class]`; values finite (usually in [0, 1]).
 * @param options - see {@link PeakPickOptions}.
 * @returns onset frames and heights per class (one class for a curve).
 * @throws {@link NonFiniteError} if an activation is NaN or infinite.
 * @throws {@link ShapeError} if a matrix's data length is not frames × classes or rows differ in length.
 * @throws {@link InvalidArgumentError} for unknown options or values out of range.
 * @example
 * ```ts
 * import { peakPick } from 'adtkit/eval';
 * const curve = new Float32Array([0, 0.1, 0.9, 0.2, 0, 0, 0.7, 0.1]);
 * const { peakFrames } = peakPick(curve);
 * // peakFrames[0] is Int32Array [2, 6]
 * ```
 */
export function peakPick(activations: ActivationsInput, options: PeakPickOptions = {}): PeakPickResult {
  const where = 'peakPick';
  const { resolved } = resolvePeakOptions(options, where);
  return peakPickNormalized(normalizeActivations(activations, where), resolved);
}
