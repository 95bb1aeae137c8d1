import { InvalidArgumentError, ShapeError } from '../errors.js';
import { normalizeActivations, type ActivationsInput } from './activations.js';
import { checkOptionKeys, isNumericArray, readInteger, readNumber, show } from './validation.js';

/** Options of {@link madmomPeakPicking}, madmom's `peak_picking` arguments in frames. */
export interface MadmomPeakPickingOptions {
  /** Detections need `act >= moving average + threshold` (madmom `threshold`; required). */
  threshold: number;
  /**
   * Smoothing before peak picking (madmom `smooth`): a kernel size in frames (an integer;
   * 0 = none; a Hamming window `np.hamming(size)` is used, not normalised) or an explicit
   * kernel of at least 2 values.
   * @defaultValue 0 (no smoothing)
   */
  smoothFrames?: number | Float64Array | Float32Array | readonly number[];
  /**
   * Past frames of the moving average (madmom `pre_avg`) [frames].
   * @defaultValue 0
   */
  preAvgFrames?: number;
  /**
   * Future frames of the moving average (madmom `post_avg`) [frames].
   * @defaultValue 0
   */
  postAvgFrames?: number;
  /**
   * Past frames of the moving maximum (madmom `pre_max`) [frames].
   * @defaultValue 1
   */
  preMaxFrames?: number;
  /**
   * Future frames of the moving maximum (madmom `post_max`) [frames].
   * @defaultValue 1
   */
  postMaxFrames?: number;
}

/** Peaks found by {@link madmomPeakPicking}, in `np.nonzero` order (frame-major). */
export interface MadmomPeaks {
  /** Frame of each peak. */
  frames: Int32Array;
  /** Class (column) of each peak; all 0 for a curve. */
  classIndices: Int32Array;
  /** Detection value (smoothed activation) at each peak. */
  heights: Float64Array;
}

export const MADMOM_HINTS: Readonly<Record<string, string>> = {
  smooth: 'smoothFrames',
  pre_avg: 'preAvgFrames',
  post_avg: 'postAvgFrames',
  pre_max: 'preMaxFrames',
  post_max: 'postMaxFrames',
  preAvg: 'preAvgFrames',
  postAvg: 'postAvgFrames',
  preMax: 'preMaxFrames',
  postMax: 'postMaxFrames',
};

/** `np.hamming(size)`: 0.54 - 0.46 cos(2πn / (size - 1)). */
function hamming(size: number): Float64Array {
  const w = new Float64Array(size);
  for (let n = 0; n < size; n++) w[n] = 0.54 - 0.46 * Math.cos((2.0 * Math.PI * n) / (size - 1));
  return w;
}

function readKernel(value: unknown, where: string): Float64Array | null {
  if (value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError(`${where}: smoothFrames must be an integer >= 0 or a kernel array, got ${value}`, { field: 'smoothFrames' });
    }
    if (value === 0) return null;
    if (value === 1) {
      throw new InvalidArgumentError(`${where}: can't create a smoothing kernel of size 1 (use 0 for no smoothing, or >= 2)`, {
        field: 'smoothFrames',
      });
    }
    return hamming(value);
  }
  if (isNumericArray(value) && value.length > 1 && Array.from(value).every((v) => Number.isFinite(v))) {
    return Float64Array.from(value);
  }
  throw new InvalidArgumentError(`${where}: smoothFrames must be an integer >= 0 or a kernel of >= 2 finite numbers, got ${show(value)}`, {
    field: 'smoothFrames',
  });
}

/**
 * madmom's `features.onsets.peak_picking(activations, threshold, smooth, pre_avg, post_avg,
 * pre_max, post_max)` (CPJKU/madmom), reproduced value for value:
 * 1. optional smoothing along time, `np.convolve(act, kernel, 'same')` (float64 result);
 * 2. if `pre_avg + post_avg > 0`, a moving average over frames `[n - pre_avg, n + post_avg]`
 *    (zeros outside, divisor always `pre_avg + post_avg + 1`, scipy's running-sum
 *    `uniform_filter`), else 0;
 * 3. `detections = act * (act >= moving average + threshold)`;
 * 4. if `pre_max + post_max > 0`, keep detections equal to the moving maximum over
 *    `[n - pre_max, n + post_max]` (zeros outside);
 * 5. the peaks are the non-zero detections, frame-major for a matrix.
 * There is no minimum distance: plateaus give several peaks. Float32Array input without
 * smoothing is computed in float32 as NumPy does; otherwise float64.
 *
 * @param activations - a curve [frames], a frame-major {@link ActivationMatrix}
 *   [frames × classes] or rows `number[frame][class]`, finite.
 * @param options - see {@link MadmomPeakPickingOptions}; `threshold` is required.
 * @returns frames, classes and heights of the peaks in `np.nonzero` order.
 * @throws {@link InvalidArgumentError} for a missing threshold, a smoothing size of 1,
 *   negative window sizes or unknown options.
 * @throws {@link ShapeError} for a smoothing kernel longer than the activations.
 * @throws {@link NonFiniteError} if an activation is NaN or infinite.
 */
export function madmomPeakPicking(activations: ActivationsInput, options: MadmomPeakPickingOptions): MadmomPeaks {
  const where = 'madmomPeakPicking';
  const record = checkOptionKeys(options, ['threshold', 'smoothFrames', 'preAvgFrames', 'postAvgFrames', 'preMaxFrames', 'postMaxFrames'], where, MADMOM_HINTS);
  if (record.threshold === undefined) {
    throw new InvalidArgumentError(`${where}: options.threshold is required (madmom's peak_picking has no default threshold)`, { field: 'threshold' });
  }
  const threshold = readNumber(record, 'threshold', 0, where);
  const kernel = readKernel(record.smoothFrames, where);
  const preAvg = readInteger(record, 'preAvgFrames', 0, where);
  const postAvg = readInteger(record, 'postAvgFrames', 0, where);
  const preMax = readInteger(record, 'preMaxFrames', 1, where);
  const postMax = readInteger(record, 'postMaxFrames', 1, where);
  const act = normalizeActivations(activations, where);
  const { frames: T, classes: C } = act;
  if (kernel !== null && kernel.length > T) {
    throw new ShapeError(`${where}: the smoothing kernel (${kernel.length} frames) is longer than the activations (${T} frames)`, {
      field: 'smoothFrames',
    });
  }
  // float32 arithmetic where NumPy would use it: float32 input, no smoothing (which makes float64).
  const f32 = act.float32 && kernel === null;
  const round = f32 ? Math.fround : (x: number) => x;

  const frames: number[] = [];
  const classIndices: number[] = [];
  const heights: number[] = [];
  const column = new Float64Array(T);
  const detections: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < T; n++) column[n] = act.data[n * C + c];
    let x: Float64Array = column;
    if (kernel !== null) {
      // np.convolve(x, k, 'same'): out[n] = sum_j x[n + (K-1)//2 - j] k[j].
      const K = kernel.length;
      const shift = (K - 1) >> 1;
      x = new Float64Array(T);
      for (let n = 0; n < T; n++) {
        let s = 0;
        for (let j = 0; j < K; j++) {
          const i = n + shift - j;
          if (i >= 0 && i < T) s += column[i] * kernel[j];
        }
        x[n] = s;
      }
    }
    const det = new Float64Array(T);
    const length = preAvg + postAvg + 1;
    const thr32 = round(threshold);
    if (length > 1) {
      // scipy.ndimage.uniform_filter1d, mode 'constant' (0): running mean of [n - pre, n + post].
      const at = (i: number): number => (i >= 0 && i < T ? x[i] : 0);
      let tmp = 0;
      for (let i = -preAvg; i <= postAvg; i++) tmp += at(i);
      tmp /= length;
      for (let n = 0; n < T; n++) {
        if (n > 0) tmp += (at(n + postAvg) - at(n - preAvg - 1)) / length;
        const limit = round(round(tmp) + thr32);
        det[n] = x[n] >= limit ? x[n] : 0;
      }
    } else {
      for (let n = 0; n < T; n++) det[n] = x[n] >= thr32 ? x[n] : 0;
    }
    detections.push(det);
  }
  const maxLength = preMax + postMax + 1;
  for (let n = 0; n < T; n++) {
    for (let c = 0; c < C; c++) {
      const det = detections[c];
      const v = det[n];
      if (v === 0) continue;
      if (maxLength > 1) {
        let isMax = true;
        for (let k = n - preMax; k <= n + postMax; k++) {
          const u = k >= 0 && k < T ? det[k] : 0;
          if (u > v) {
            isMax = false;
            break;
          }
        }
        // detections == maximum_filter(detections) (the window includes the zero padding).
        if (!isMax) continue;
      }
      frames.push(n);
      classIndices.push(c);
      heights.push(v);
    }
  }
  return { frames: Int32Array.from(frames), classIndices: Int32Array.from(classIndices), heights: Float64Array.from(heights) };
}
