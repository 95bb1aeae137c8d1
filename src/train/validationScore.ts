/**
 * Validation scoring of the training loop: activations of the validation segments → micro-F1,
 * by the thesis procedure, computed with `adtkit/eval`.
 */
import { countFrameMatches, fMeasureFromCounts, thesisComputePeaks } from '../eval/index.js';
import type { CountFrameMatchesOptions, MatchCounts, ThesisComputePeaksOptions } from '../eval/index.js';

/** Scores of one validation pass. */
export interface ValidationScore {
  /** Micro-F1 over all classes and segments. */
  microF1: number;
  /** F1 per class. */
  classF1: number[];
  /** TP/FP/FN per class, when the scorer counts them. */
  counts?: MatchCounts[];
}

/** Shape of the arrays given to a {@link ValidationScorer}. */
export interface ValidationShape {
  segments: number;
  frames: number;
  classes: number;
}

/**
 * Turns validation activations (sigmoid outputs) and targets, both [segments, frames, classes]
 * row-major, into scores.
 */
export type ValidationScorer = (activations: Float32Array, targets: Float32Array, shape: ValidationShape) => ValidationScore;

/** Options of {@link thesisValidationScorer}. */
export interface ThesisValidationScorerOptions {
  /** Peak picking (`evaluate.compute_peaks`). @defaultValue m = w = 2, δ = 0.1 */
  peaks?: ThesisComputePeaksOptions;
  /** Matching (`evaluate.compute_predictions`). @defaultValue 5 frames, threshold 0.5 */
  matching?: CountFrameMatchesOptions;
}

/**
 * The thesis validation score: `compute_peaks` on every 400-frame segment, onsets where the
 * peak is above 0.5, greedy matching within 5 frames against the target frames equal to 1,
 * counts summed over segments, micro-F1 with the thesis convention for empty sets.
 *
 * @param options - see {@link ThesisValidationScorerOptions}.
 * @returns a {@link ValidationScorer}.
 */
export function thesisValidationScorer(options: ThesisValidationScorerOptions = {}): ValidationScorer {
  return (activations, targets, { segments, frames, classes }) => {
    const peaks = thesisComputePeaks({ data: activations, segments, frames, classes }, options.peaks);
    const counts = countFrameMatches({ data: peaks, segments, frames, classes }, { data: targets, segments, frames, classes }, options.matching);
    const scores = fMeasureFromCounts(counts.perClass, { convention: 'thesis' });
    return { microF1: scores.micro.f1, classF1: scores.perClass.map((c) => c.f1), counts: counts.perClass };
  };
}
