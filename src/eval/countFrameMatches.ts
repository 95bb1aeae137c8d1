import { ShapeError } from '../errors.js';
import { normalizeSegmented, type SegmentedActivations } from './activations.js';
import type { MatchCounts } from './fMeasureFromCounts.js';
import { greedyFrameMatching } from './matchOnsetFrames.js';
import { checkOptionKeys, readInteger, readNumber } from './validation.js';

/** Options of {@link countFrameMatches}. */
export interface CountFrameMatchesOptions {
  /**
   * w: tolerance [frames] of the greedy matching (`|a - r| <= w`).
   * @defaultValue 5
   */
  toleranceFrames?: number;
  /**
   * A predicted onset is a frame whose value is strictly above this.
   * @defaultValue 0.5
   */
  threshold?: number;
  /**
   * A reference onset is a frame whose target is strictly above this (0.5 keeps the 1.0
   * frames of widened targets and drops the 0.5 neighbours).
   * @defaultValue 0.5
   */
  referenceThreshold?: number;
}

/** Result of {@link countFrameMatches}. */
export interface FrameMatchCounts {
  /** One entry per class, summed over segments. */
  perClass: MatchCounts[];
  /** Counts summed over classes. */
  total: MatchCounts;
}

/**
 * The thesis `evaluate.compute_predictions(peaks, annotations, w)`: in every segment and class,
 * predicted onsets are the frames with `peaks > threshold`, reference onsets the frames with
 * `annotations > referenceThreshold`, and the two sorted lists are matched greedily within
 * `toleranceFrames` (see {@link matchOnsetFrames}); counts are summed over segments. Segments
 * are independent: no match crosses a segment boundary.
 *
 * @param peaks - `[segments, frames, classes]` peak heights, e.g. from {@link thesisComputePeaks}.
 * @param annotations - `[segments, frames, classes]` targets (values 0 / 0.5 / 1), same shape.
 * @param options - see {@link CountFrameMatchesOptions}.
 * @returns TP/FP/FN per class and in total; feed `perClass` to {@link fMeasureFromCounts}.
 * @throws {@link ShapeError} if the two arrays differ in shape or a data length is wrong.
 * @throws {@link NonFiniteError} for NaN or infinite values.
 * @throws {@link InvalidArgumentError} for a negative tolerance or unknown options.
 */
export function countFrameMatches(
  peaks: SegmentedActivations,
  annotations: SegmentedActivations,
  options: CountFrameMatchesOptions = {},
): FrameMatchCounts {
  const where = 'countFrameMatches';
  const record = checkOptionKeys(options, ['toleranceFrames', 'threshold', 'referenceThreshold'], where, {
    w: 'toleranceFrames',
    tolerance: 'toleranceFrames',
  });
  const tolerance = readInteger(record, 'toleranceFrames', 5, where);
  const threshold = readNumber(record, 'threshold', 0.5, where);
  const referenceThreshold = readNumber(record, 'referenceThreshold', 0.5, where);
  const est = normalizeSegmented(peaks, where, 'peaks');
  const ref = normalizeSegmented(annotations, where, 'annotations');
  if (est.segments !== ref.segments || est.frames !== ref.frames || est.classes !== ref.classes) {
    throw new ShapeError(
      `${where}: peaks have shape [${est.segments}, ${est.frames}, ${est.classes}] but annotations have ` +
        `[${ref.segments}, ${ref.frames}, ${ref.classes}]; both must be [segments, frames, classes] of the same size`,
      { field: 'annotations' },
    );
  }
  const { segments, frames, classes } = est;
  const perClass: MatchCounts[] = [];
  for (let c = 0; c < classes; c++) perClass.push({ truePositives: 0, falsePositives: 0, falseNegatives: 0 });
  const estFrames = new Int32Array(frames);
  const refFrames = new Int32Array(frames);
  for (let s = 0; s < segments; s++) {
    const offset = s * frames * classes;
    for (let c = 0; c < classes; c++) {
      let ne = 0;
      let nr = 0;
      for (let n = 0; n < frames; n++) {
        const i = offset + n * classes + c;
        if (est.data[i] > threshold) estFrames[ne++] = n;
        if (ref.data[i] > referenceThreshold) refFrames[nr++] = n;
      }
      const m = greedyFrameMatching(estFrames.subarray(0, ne), refFrames.subarray(0, nr), tolerance, false);
      perClass[c].truePositives += m.truePositives;
      perClass[c].falsePositives += m.falsePositives;
      perClass[c].falseNegatives += m.falseNegatives;
    }
  }
  const total: MatchCounts = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (const c of perClass) {
    total.truePositives += c.truePositives;
    total.falsePositives += c.falsePositives;
    total.falseNegatives += c.falseNegatives;
  }
  return { perClass, total };
}
