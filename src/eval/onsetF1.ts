import { InvalidArgumentError, NonFiniteError } from '../errors.js';
import { DEFAULT_CLASS_NAMES, type DrumEvent } from '../types.js';
import { summarizeCounts, type FMeasureResult, type MatchCounts } from './fMeasureFromCounts.js';
import { countTimes, MATCHING_HINTS, MATCHING_KEYS, resolveMatching, type OnsetMatching, type OnsetMatchingOptions } from './scoreOnsetTimes.js';
import { checkOptionKeys, readClassNames, show } from './validation.js';

/** Options of {@link onsetF1}. */
export interface OnsetF1Options extends OnsetMatchingOptions {
  /**
   * The vocabulary: class `i` is `classNames[i]` (e.g. `mapping.classNames` of an adtkit/io
   * class mapping); its length is the number of classes. Events whose `className` is set must
   * agree with it.
   * @defaultValue DEFAULT_CLASS_NAMES (KD, SD, TT, HH, CY)
   */
  classNames?: readonly string[];
}

/** Result of {@link onsetF1}. */
export interface OnsetF1Result extends FMeasureResult {
  /** Matching used. */
  matching: OnsetMatching;
}

/** Groups events by class, checking them; returns sorted-by-input times per class (internal). */
function timesByClass(
  events: unknown,
  name: string,
  classNames: readonly string[],
  maxTimeSeconds: number,
  where: string,
): Float64Array[] {
  if (!Array.isArray(events)) {
    throw new InvalidArgumentError(`${where}: ${name} must be an array of DrumEvent, got ${show(events)}`, { field: name });
  }
  const classes = classNames.length;
  const counts = new Int32Array(classes);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Partial<DrumEvent> | null;
    if (typeof e !== 'object' || e === null) {
      throw new InvalidArgumentError(`${where}: ${name}[${i}] must be a DrumEvent {timeSeconds, classIndex}, got ${show(e)}`, { field: name });
    }
    const t = e.timeSeconds;
    const c = e.classIndex;
    if (typeof t !== 'number') {
      throw new InvalidArgumentError(`${where}: ${name}[${i}].timeSeconds must be a number, got ${show(t)}`, { field: name });
    }
    if (!Number.isFinite(t)) {
      throw new NonFiniteError(`${where}: ${name}[${i}].timeSeconds = ${t} is not finite`, { field: name });
    }
    if (t < 0) {
      throw new InvalidArgumentError(`${where}: ${name}[${i}].timeSeconds = ${t} is negative; onset times must be >= 0 s`, { field: name });
    }
    if (t > maxTimeSeconds) {
      throw new InvalidArgumentError(
        `${where}: ${name}[${i}].timeSeconds = ${t} is greater than the maximum allowed time of ${maxTimeSeconds} s ` +
          '(did you supply event times in seconds? Milliseconds, frames or samples are far larger)',
        { field: name },
      );
    }
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= classes) {
      throw new InvalidArgumentError(
        `${where}: ${name}[${i}].classIndex = ${show(c)} is not a class of the vocabulary (an integer in [0, ${classes - 1}] for ` +
          `classNames [${classNames.join(', ')}]); pass classNames for another vocabulary`,
        { field: name },
      );
    }
    if (e.className !== undefined && e.className !== classNames[c]) {
      throw new InvalidArgumentError(
        `${where}: ${name}[${i}] has className ${show(e.className)} but class ${c} is ${show(classNames[c])}; ` +
          'are the estimated and reference events in the same vocabulary as classNames?',
        { field: name },
      );
    }
    counts[c]++;
  }
  const out = Array.from(counts, (n) => new Float64Array(n));
  const fill = new Int32Array(classes);
  const lastIndex = new Int32Array(classes).fill(-1);
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as DrumEvent;
    const c = e.classIndex;
    const k = fill[c]++;
    if (k > 0 && e.timeSeconds < out[c][k - 1]) {
      throw new InvalidArgumentError(
        `${where}: ${name} must be sorted by time within each class, but ${name}[${i}] (${classNames[c]}) at ` +
          `${e.timeSeconds} s comes after ${name}[${lastIndex[c]}] at ${out[c][k - 1]} s`,
        { field: name },
      );
    }
    out[c][k] = e.timeSeconds;
    lastIndex[c] = i;
  }
  return out;
}

/**
 * Onset precision, recall and F1 of multi-class drum events: per class, micro (counts summed
 * over classes) and macro (means of class scores). An estimate matches a reference of the same
 * class within the tolerance, each at most once.
 *
 * - `matching: 'bipartite'` (default): maximum matching on seconds with mir_eval's rule
 *   `est - w <= ref <= est + w`, `windowSeconds` 0.05; per class this equals
 *   `mir_eval.onset.f_measure`.
 * - `matching: 'greedy'`: the thesis' greedy merge on frames `round(t * frameRate)` with
 *   `toleranceFrames` 5.
 * - `convention` names the empty-set rule (see {@link ScoreConvention}); with the default
 *   `'mir_eval'` a class absent from both lists scores 0 and lowers the macro average.
 *
 * Events may come in any class order but must be sorted by time within each class (a list
 * sorted by time is). Linear time in the number of events.
 *
 * @param estimated - estimated events (timeSeconds [s] >= 0, classIndex in the vocabulary).
 * @param reference - reference events, same rules.
 * @param options - see {@link OnsetF1Options}.
 * @returns per-class, micro and macro scores (named fields, no tuples).
 * @throws {@link InvalidArgumentError} for unsorted, negative or too large times, unknown
 *   classes, class names that disagree with `classNames`, bad options.
 * @throws {@link NonFiniteError} for NaN or infinite times.
 * @example
 * ```ts
 * import { onsetF1 } from 'adtkit/eval';
 * const est = [{ timeSeconds: 0.51, classIndex: 0 }, { timeSeconds: 1.0, classIndex: 1 }];
 * const ref = [{ timeSeconds: 0.5, classIndex: 0 }, { timeSeconds: 1.2, classIndex: 1 }];
 * const { micro, perClass } = onsetF1(est, ref);
 * // micro.f1 = 0.5, perClass[0].f1 = 1 (KD), perClass[1].f1 = 0 (SD)
 * ```
 */
export function onsetF1(estimated: readonly DrumEvent[], reference: readonly DrumEvent[], options: OnsetF1Options = {}): OnsetF1Result {
  const where = 'onsetF1';
  const record = checkOptionKeys(options, [...MATCHING_KEYS, 'classNames'], where, MATCHING_HINTS);
  const m = resolveMatching(record, where);
  const classNames = readClassNames(record, 'classNames', DEFAULT_CLASS_NAMES, where);
  const est = timesByClass(estimated, 'estimated', classNames, m.maxTimeSeconds, where);
  const ref = timesByClass(reference, 'reference', classNames, m.maxTimeSeconds, where);
  const counts: MatchCounts[] = classNames.map((_, c) => {
    const s = countTimes(est[c], ref[c], m);
    return { truePositives: s.truePositives, falsePositives: s.falsePositives, falseNegatives: s.falseNegatives };
  });
  return { ...summarizeCounts(counts, m.convention, classNames), matching: m.matching };
}
