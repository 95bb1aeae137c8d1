import type { MatchCounts } from './fMeasureFromCounts.js';
import { checkFrames, checkOptionKeys, readInteger } from './validation.js';

/** Options of {@link matchOnsetFrames}. */
export interface MatchOnsetFramesOptions {
  /**
   * Tolerance [frames]: an estimate at frame a matches a reference at frame r when
   * `|a - r| <= toleranceFrames` (the thesis: 5 frames = 50 ms at 100 fps).
   * @defaultValue 5
   */
  toleranceFrames?: number;
}

/** Result of {@link matchOnsetFrames}: counts and the matched pairs. */
export interface FrameMatching extends MatchCounts {
  /** `estimatedIndices[i]` is matched to `referenceIndices[i]`; increasing in both. */
  estimatedIndices: Int32Array;
  /** See `estimatedIndices`. */
  referenceIndices: Int32Array;
}

/**
 * The thesis' greedy two-pointer merge (internal; inputs already checked). Walks both sorted
 * lists: `|a - r| <= tol` is a true positive (advance both), else the smaller one is a false
 * positive (a < r) or a false negative; leftovers are false positives / negatives.
 */
export function greedyFrameMatching(
  estimated: ArrayLike<number>,
  reference: ArrayLike<number>,
  toleranceFrames: number,
  withPairs = true,
): FrameMatching {
  const est: number[] = [];
  const ref: number[] = [];
  let i = 0;
  let j = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  while (i < estimated.length && j < reference.length) {
    const a = estimated[i];
    const r = reference[j];
    if (Math.abs(a - r) <= toleranceFrames) {
      if (withPairs) {
        est.push(i);
        ref.push(j);
      }
      tp++;
      i++;
      j++;
    } else if (a < r) {
      fp++;
      i++;
    } else {
      fn++;
      j++;
    }
  }
  fp += estimated.length - i;
  fn += reference.length - j;
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    estimatedIndices: Int32Array.from(est),
    referenceIndices: Int32Array.from(ref),
  };
}

/**
 * Greedy matching of onset frames as in the thesis `evaluate.compute_predictions`: both
 * sorted lists are merged front to front; an estimate within `toleranceFrames` of the current
 * reference is a true positive, otherwise the earlier of the two is counted as a false
 * positive (estimate) or false negative (reference). Integer frames make the window edge
 * exact. On sorted lists the hit windows are intervals ordered along both lists, so this merge
 * also finds a maximum matching for the rule `|a - r| <= toleranceFrames` (unlike a
 * nearest-first greedy); counts differ from {@link matchOnsetTimes} only through the frame
 * rounding of the times and the window rule. O(n + m).
 *
 * @param estimatedFrames - estimated onset frames, integers >= 0, sorted increasing.
 * @param referenceFrames - reference onset frames, integers >= 0, sorted increasing.
 * @param options - see {@link MatchOnsetFramesOptions}.
 * @returns TP/FP/FN counts and the matched index pairs.
 * @throws {@link InvalidArgumentError} for non-integer, negative or unsorted frames, a
 *   negative tolerance, or unknown options.
 * @example
 * ```ts
 * import { matchOnsetFrames } from 'adtkit/eval';
 * matchOnsetFrames([10, 40], [12, 90]); // { truePositives: 1, falsePositives: 1, falseNegatives: 1, ... }
 * ```
 */
export function matchOnsetFrames(
  estimatedFrames: Int32Array | readonly number[],
  referenceFrames: Int32Array | readonly number[],
  options: MatchOnsetFramesOptions = {},
): FrameMatching {
  const where = 'matchOnsetFrames';
  const record = checkOptionKeys(options, ['toleranceFrames'], where, { w: 'toleranceFrames', tolerance: 'toleranceFrames', windowSeconds: 'toleranceFrames (in frames)' });
  const tolerance = readInteger(record, 'toleranceFrames', 5, where);
  const est = checkFrames(estimatedFrames, 'estimatedFrames', where);
  const ref = checkFrames(referenceFrames, 'referenceFrames', where);
  return greedyFrameMatching(est, ref, tolerance);
}
