import { InvalidArgumentError } from '../errors.js';
import { checkOptionKeys, readChoice, show } from './validation.js';

/**
 * How precision, recall and F1 are defined when a count is zero:
 * - `'mir_eval'` (mir_eval 0.7 `onset.f_measure`): P = R = F = 0 when the estimated or the
 *   reference list is empty, even when both are;
 * - `'madmom'` (madmom `SimpleEvaluation`): P = 1 with no estimates, R = 1 with no
 *   references, F = 0 when 2PR = 0; so both empty gives P = R = F = 1;
 * - `'thesis'` (thesis `evaluate.f_measure`): 0/0 precision or recall is 1 and 0/0 F1 is 0,
 *   which gives the same values as madmom, computed in float32 as PyTorch does.
 */
export type ScoreConvention = 'mir_eval' | 'madmom' | 'thesis';

/** True positive, false positive and false negative counts. */
export interface MatchCounts {
  /** Estimated onsets matched to a reference onset. */
  truePositives: number;
  /** Estimated onsets left unmatched. */
  falsePositives: number;
  /** Reference onsets left unmatched. */
  falseNegatives: number;
}

/** Counts with the precision, recall and F1 they give. */
export interface OnsetScores extends MatchCounts {
  /** TP / (TP + FP), or the convention's value for an empty estimate. */
  precision: number;
  /** TP / (TP + FN), or the convention's value for an empty reference. */
  recall: number;
  /** 2PR / (P + R), or 0 when P = R = 0. */
  f1: number;
}

/** Scores of one class. */
export interface ClassOnsetScores extends OnsetScores {
  /** Index of the class. */
  classIndex: number;
  /** Name of the class, when class names were given. */
  className?: string;
}

/** Macro averages: unweighted means over classes. */
export interface MacroScores {
  /** Mean of the class precisions. */
  precision: number;
  /** Mean of the class recalls. */
  recall: number;
  /** Mean of the class F1 scores (the thesis' macro F1). */
  f1: number;
}

/** Per-class, micro and macro scores. */
export interface FMeasureResult {
  /** Convention used for empty sets. */
  convention: ScoreConvention;
  /** One entry per class, in class-index order. */
  perClass: ClassOnsetScores[];
  /** Scores of the counts summed over classes. */
  micro: OnsetScores;
  /** Means of the class scores. */
  macro: MacroScores;
}

/** Options of {@link fMeasureFromCounts}. */
export interface FMeasureFromCountsOptions {
  /**
   * Empty-set convention, see {@link ScoreConvention}.
   * @defaultValue 'mir_eval'
   */
  convention?: ScoreConvention;
  /** Class names, one per entry of `counts`; copied into `perClass[i].className`. */
  classNames?: readonly string[];
}

export const SCORE_CONVENTIONS: readonly ScoreConvention[] = ['mir_eval', 'madmom', 'thesis'];

/** Precision, recall and F1 of one set of counts under a convention (internal). */
export function scoreCounts(counts: MatchCounts, convention: ScoreConvention): OnsetScores {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = counts;
  const numEstimated = tp + fp;
  const numReference = tp + fn;
  let precision: number;
  let recall: number;
  let f1: number;
  if (convention === 'mir_eval') {
    if (numEstimated === 0 || numReference === 0) {
      precision = 0;
      recall = 0;
      f1 = 0;
    } else {
      precision = tp / numEstimated;
      recall = tp / numReference;
      // mir_eval.util.f_measure: (1 + beta**2) * P * R / (beta**2 * P + R), beta = 1.
      f1 = precision === 0 && recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    }
  } else if (convention === 'madmom') {
    precision = numEstimated === 0 ? 1 : tp / numEstimated;
    recall = numReference === 0 ? 1 : tp / numReference;
    const numerator = 2 * precision * recall;
    f1 = numerator === 0 ? 0 : numerator / (precision + recall);
  } else {
    // torch float32: each operation rounded to float32; NaN (0/0) precision/recall -> 1, F1 -> 0.
    const f = Math.fround;
    precision = numEstimated === 0 ? 1 : f(f(tp) / f(numEstimated));
    recall = numReference === 0 ? 1 : f(f(tp) / f(numReference));
    const sum = f(precision + recall);
    f1 = sum === 0 ? 0 : f(f(2 * f(precision * recall)) / sum);
  }
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, precision, recall, f1 };
}

/** Mean of values, in float32 for the thesis convention (torch.mean). */
function mean(values: number[], convention: ScoreConvention): number {
  if (values.length === 0) return 0;
  if (convention === 'thesis') {
    let sum = 0;
    for (const v of values) sum = Math.fround(sum + v);
    return Math.fround(sum / values.length);
  }
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Per-class, micro and macro scores from per-class counts (internal, no validation). */
export function summarizeCounts(
  counts: readonly MatchCounts[],
  convention: ScoreConvention,
  classNames?: readonly string[],
): FMeasureResult {
  const perClass: ClassOnsetScores[] = counts.map((c, classIndex) => {
    const scores: ClassOnsetScores = { classIndex, ...scoreCounts(c, convention) };
    if (classNames !== undefined) scores.className = classNames[classIndex];
    return scores;
  });
  const total: MatchCounts = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (const c of counts) {
    total.truePositives += c.truePositives;
    total.falsePositives += c.falsePositives;
    total.falseNegatives += c.falseNegatives;
  }
  return {
    convention,
    perClass,
    micro: scoreCounts(total, convention),
    macro: {
      precision: mean(perClass.map((s) => s.precision), convention),
      recall: mean(perClass.map((s) => s.recall), convention),
      f1: mean(perClass.map((s) => s.f1), convention),
    },
  };
}

/**
 * Precision, recall and F1 per class, micro (from the counts summed over classes) and
 * macro (means of the class values) from per-class TP/FP/FN counts. With
 * `convention: 'thesis'` this is the thesis `evaluate.f_measure` (its micro F1, macro F1
 * and class F1, in float32).
 *
 * @param counts - one {@link MatchCounts} per class (non-negative integers), e.g.
 *   `countFrameMatches(...).perClass`.
 * @param options - see {@link FMeasureFromCountsOptions}.
 * @returns per-class, micro and macro scores.
 * @throws {@link InvalidArgumentError} for counts that are not non-negative integers, a
 *   `classNames` list of the wrong length, or unknown options.
 */
export function fMeasureFromCounts(counts: readonly MatchCounts[], options: FMeasureFromCountsOptions = {}): FMeasureResult {
  const where = 'fMeasureFromCounts';
  const record = checkOptionKeys(options, ['convention', 'classNames'], where);
  const convention = readChoice(record, 'convention', SCORE_CONVENTIONS, 'mir_eval', where);
  if (!Array.isArray(counts)) {
    throw new InvalidArgumentError(`${where}: counts must be an array of {truePositives, falsePositives, falseNegatives}, got ${show(counts)}`, {
      field: 'counts',
    });
  }
  counts.forEach((c, i) => {
    for (const key of ['truePositives', 'falsePositives', 'falseNegatives'] as const) {
      const v = (c as unknown as Record<string, unknown> | null)?.[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new InvalidArgumentError(`${where}: counts[${i}].${key} must be an integer >= 0, got ${show(v)}`, { field: 'counts' });
      }
    }
  });
  const classNames = record.classNames as readonly string[] | undefined;
  if (classNames !== undefined && (!Array.isArray(classNames) || classNames.length !== counts.length)) {
    throw new InvalidArgumentError(
      `${where}: classNames must have one name per entry of counts (${counts.length}), got ${show(classNames)}`,
      { field: 'classNames' },
    );
  }
  return summarizeCounts(counts, convention, classNames);
}
