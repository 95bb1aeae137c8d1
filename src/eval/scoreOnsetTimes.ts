import { DEFAULT_FRAME_RATE } from '../types.js';
import { scoreCounts, SCORE_CONVENTIONS, type OnsetScores, type ScoreConvention } from './fMeasureFromCounts.js';
import { greedyFrameMatching } from './matchOnsetFrames.js';
import { maximumTimeMatching, readWindowSeconds } from './matchOnsetTimes.js';
import { checkOptionKeys, checkTimes, DEFAULT_MAX_TIME_SECONDS, readChoice, readInteger, readNumber, roundHalfEven } from './validation.js';

/** How estimated and reference onsets are paired. */
export type OnsetMatching = 'bipartite' | 'greedy';

/** Options of {@link scoreOnsetTimes} and {@link onsetF1}. */
export interface OnsetMatchingOptions {
  /**
   * `'bipartite'`: maximum one-to-one matching on times in seconds with mir_eval's hit rule
   * (see {@link matchOnsetTimes}); `'greedy'`: the thesis' greedy merge on integer frames
   * (times are converted with `round(t * frameRate)`, half to even; see {@link matchOnsetFrames}).
   * @defaultValue 'bipartite'
   */
  matching?: OnsetMatching;
  /**
   * Tolerance window of the bipartite matching [s].
   * @defaultValue 0.05
   */
  windowSeconds?: number;
  /**
   * Tolerance of the greedy matching [frames].
   * @defaultValue 5
   */
  toleranceFrames?: number;
  /**
   * Frame rate used to turn times into frames for the greedy matching [frames / s].
   * @defaultValue 100
   */
  frameRate?: number;
  /**
   * Empty-set convention, see {@link ScoreConvention}.
   * @defaultValue 'mir_eval'
   */
  convention?: ScoreConvention;
  /**
   * Largest accepted event time [s]; larger times are taken for a unit mistake.
   * @defaultValue 30000
   */
  maxTimeSeconds?: number;
}

/** Resolved matching options (internal). */
export interface ResolvedMatching {
  matching: OnsetMatching;
  windowSeconds: number;
  toleranceFrames: number;
  frameRate: number;
  convention: ScoreConvention;
  maxTimeSeconds: number;
}

export const MATCHING_KEYS = ['matching', 'windowSeconds', 'toleranceFrames', 'frameRate', 'convention', 'maxTimeSeconds'] as const;

export const MATCHING_HINTS: Readonly<Record<string, string>> = {
  window: 'windowSeconds',
  tolerance: "windowSeconds (bipartite) or toleranceFrames (greedy)",
  w: 'windowSeconds or toleranceFrames',
  fps: 'frameRate',
  method: 'matching',
};

/** Validates the matching options (internal). */
export function resolveMatching(record: Record<string, unknown>, where: string): ResolvedMatching {
  return {
    matching: readChoice(record, 'matching', ['bipartite', 'greedy'] as const, 'bipartite', where),
    windowSeconds: readWindowSeconds(record, where),
    toleranceFrames: readInteger(record, 'toleranceFrames', 5, where),
    frameRate: readNumber(record, 'frameRate', DEFAULT_FRAME_RATE, where, Number.MIN_VALUE),
    convention: readChoice(record, 'convention', SCORE_CONVENTIONS, 'mir_eval', where),
    maxTimeSeconds: readNumber(record, 'maxTimeSeconds', DEFAULT_MAX_TIME_SECONDS, where, 0),
  };
}

/** Counts of one class from checked, sorted times (internal). */
export function countTimes(estimated: ArrayLike<number>, reference: ArrayLike<number>, m: ResolvedMatching): OnsetScores {
  let tp: number;
  if (m.matching === 'bipartite') {
    tp = maximumTimeMatching(estimated, reference, m.windowSeconds).matches;
  } else {
    const toFrames = (times: ArrayLike<number>): Int32Array => {
      const frames = new Int32Array(times.length);
      for (let i = 0; i < times.length; i++) frames[i] = roundHalfEven(times[i] * m.frameRate);
      return frames;
    };
    tp = greedyFrameMatching(toFrames(estimated), toFrames(reference), m.toleranceFrames, false).truePositives;
  }
  return scoreCounts(
    { truePositives: tp, falsePositives: estimated.length - tp, falseNegatives: reference.length - tp },
    m.convention,
  );
}

/**
 * Onset precision, recall and F1 of one list of estimated times against one list of reference
 * times. With the defaults this is `mir_eval.onset.f_measure(reference, estimated, 0.05)`:
 * `truePositives` is the size of a maximum matching, P = TP / #estimated, R = TP / #reference,
 * and P = R = F = 0 when either list is empty. Note the argument order: estimated first.
 *
 * @param estimatedSeconds - estimated onset times [s], sorted increasing, >= 0.
 * @param referenceSeconds - reference onset times [s], sorted increasing, >= 0.
 * @param options - see {@link OnsetMatchingOptions}.
 * @returns TP/FP/FN, precision, recall and F1.
 * @throws {@link InvalidArgumentError} for unsorted, negative or too large times, a negative
 *   tolerance, or unknown options.
 * @throws {@link NonFiniteError} for NaN or infinite times.
 * @example
 * ```ts
 * import { scoreOnsetTimes } from 'adtkit/eval';
 * scoreOnsetTimes([0.15, 0.5], [0.1, 0.9]); // precision 0.5, recall 0.5, f1 0.5
 * ```
 */
export function scoreOnsetTimes(
  estimatedSeconds: Float64Array | Float32Array | readonly number[],
  referenceSeconds: Float64Array | Float32Array | readonly number[],
  options: OnsetMatchingOptions = {},
): OnsetScores {
  const where = 'scoreOnsetTimes';
  const record = checkOptionKeys(options, MATCHING_KEYS, where, MATCHING_HINTS);
  const m = resolveMatching(record, where);
  const est = checkTimes(estimatedSeconds, 'estimatedSeconds', where, m.maxTimeSeconds);
  const ref = checkTimes(referenceSeconds, 'referenceSeconds', where, m.maxTimeSeconds);
  return countTimes(est, ref, m);
}
