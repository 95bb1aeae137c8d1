import { normalizeSegmented, type SegmentedActivations } from './activations.js';
import { thesisKeptPeaks } from './peakCore.js';
import { checkOptionKeys, readInteger, readNumber } from './validation.js';

/** Options of {@link thesisComputePeaks}, named after `evaluate.compute_peaks(m, o, w, delta)`. */
export interface ThesisComputePeaksOptions {
  /**
   * m: half-width of the window used for both the maximum and the mean [frames].
   * @defaultValue 2
   */
  maxRadiusFrames?: number;
  /**
   * w: a kept peak must be more than w frames after the previous kept peak [frames].
   * @defaultValue 2
   */
  minDistanceFrames?: number;
  /**
   * δ: margin over the window mean.
   * @defaultValue 0.1
   */
  delta?: number;
}

/**
 * The thesis reference `evaluate.compute_peaks(activations, m, o, w, delta)`, exactly: for each
 * segment and class, a frame is a window maximum at least `mean + δ` over the zero-padded
 * window of 2m+1 frames (float32 arithmetic), and the peaks kept are those more than w frames
 * after the previous kept one, starting from `last = -(w - 1)`. The result is the activation
 * at kept peaks and 0 elsewhere (`activations * mask`). The reference's `o` is unused, so
 * there is no option for it. See {@link peakPick} for the edge behaviour.
 *
 * Use {@link countFrameMatches} and {@link fMeasureFromCounts} on the result to reproduce
 * `compute_predictions` and `f_measure`.
 *
 * @param activations - `[segments, frames, classes]` activations (row-major), finite.
 * @param options - see {@link ThesisComputePeaksOptions}.
 * @returns a Float32Array of the same shape: peak heights at kept peaks, 0 elsewhere.
 * @throws {@link ShapeError} if `data.length` is not segments × frames × classes.
 * @throws {@link NonFiniteError} if an activation is NaN or infinite.
 * @throws {@link InvalidArgumentError} for unknown options or values out of range.
 */
export function thesisComputePeaks(activations: SegmentedActivations, options: ThesisComputePeaksOptions = {}): Float32Array {
  const where = 'thesisComputePeaks';
  const record = checkOptionKeys(options, ['maxRadiusFrames', 'minDistanceFrames', 'delta'], where, {
    m: 'maxRadiusFrames',
    w: 'minDistanceFrames',
    o: "nothing: compute_peaks ignores o; leave it out",
    meanRadiusFrames: "nothing: compute_peaks uses the maximum window for the mean; leave it out",
  });
  const maxRadius = readInteger(record, 'maxRadiusFrames', 2, where);
  const minDistance = readInteger(record, 'minDistanceFrames', 2, where);
  const delta = readNumber(record, 'delta', 0.1, where);
  const { data, segments, frames, classes } = normalizeSegmented(activations, where, 'activations');
  const out = new Float32Array(data.length);
  for (let s = 0; s < segments; s++) {
    const offset = s * frames * classes;
    thesisKeptPeaks(data, offset, frames, classes, maxRadius, minDistance, delta).forEach((kept, c) => {
      for (const n of kept) out[offset + n * classes + c] = data[offset + n * classes + c];
    });
  }
  return out;
}
