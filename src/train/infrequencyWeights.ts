/**
 * Infrequency weights (Cartwright & Bello 2018, as used by Zehren et al. 2023 and the thesis):
 * the inverse entropy of each class's onset activity, computed from the training targets.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';

/** Replacement of p = 0 (a class that never occurs), as in the thesis reference. */
export const ABSENT_CLASS_PROBABILITY = 1e-10;

/** Frame targets of one or several segments, frame-major with the class axis last. */
export interface TargetValues {
  /** Values 0, 0.5 (widened) or 1, length `frames * classes` [frame, class]. */
  data: Float32Array | ArrayLike<number>;
  /** Number of classes (last axis). */
  classes: number;
}

/**
 * Streaming form of {@link infrequencyWeights}: add the targets batch by batch (a dataset that
 * does not fit in memory), then read the weights. Counts and frame totals are integers, so the
 * result does not depend on how the frames are split into batches.
 */
export class InfrequencyWeightsAccumulator {
  /** Number of frames whose target is exactly 1, per class. */
  readonly counts: number[];
  /** Number of frames seen. */
  frames = 0;

  /**
   * @param classes - number of classes (5 by default in adtkit).
   * @throws InvalidArgumentError when `classes` is not a positive integer.
   */
  constructor(readonly classes: number) {
    if (!Number.isInteger(classes) || classes <= 0) {
      throw new InvalidArgumentError(`classes must be a positive integer, got ${classes}`, { field: 'classes' });
    }
    this.counts = new Array<number>(classes).fill(0);
  }

  /**
   * Adds the targets of some frames.
   * @param targets - values [frame, class], flat, frame-major; length a multiple of `classes`.
   * @throws ShapeError when the length is not a multiple of the class count.
   */
  add(targets: ArrayLike<number>): void {
    const c = this.classes;
    if (targets.length % c !== 0) {
      throw new ShapeError(`targets: length ${targets.length} is not a multiple of the class count ${c} (expected [frames, ${c}] flattened)`, { field: 'targets' });
    }
    for (let i = 0; i < targets.length; i++) {
      // Only exact ones count: the 0.5 frames of target widening are not onsets.
      if (targets[i] === 1) this.counts[i % c] += 1;
    }
    this.frames += targets.length / c;
  }

  /**
   * The weights w_c = 1 / (-p ln p - (1-p) ln(1-p)), p = count / frames, p = 0 replaced by
   * 1e-10, every operation rounded to float32 as the reference does (so a class that never
   * occurs gets 434294496 rather than the float64 value 4.16e8).
   * @returns one weight per class.
   * @throws InvalidArgumentError when no frame was added.
   */
  weights(): Float32Array {
    if (this.frames === 0) {
      throw new InvalidArgumentError('infrequency weights need at least one frame of targets, got none', { field: 'targets' });
    }
    const f = Math.fround;
    const out = new Float32Array(this.classes);
    const total = f(this.frames);
    for (let c = 0; c < this.classes; c++) {
      let p = f(f(this.counts[c]) / total);
      if (p === 0) p = f(ABSENT_CLASS_PROBABILITY);
      const q = f(1 - p);
      const entropy = f(f(-p * f(Math.log(p))) - f(q * f(Math.log(q))));
      out[c] = f(1 / entropy);
    }
    return out;
  }
}

/**
 * Infrequency weights of a set of frame targets (SPEC §5): p_c = (frames whose target is
 * exactly 1) / (frames), w_c = 1 / (-p ln p - (1-p) ln(1-p)) in float32 arithmetic.
 *
 * @param targets - frame targets [frame, class] (any number of segments concatenated), or a
 *   list of them (one per segment or batch).
 * @returns one weight per class [classes].
 * @throws ShapeError when a length is not a multiple of `classes`; InvalidArgumentError when
 *   there are no frames or the class counts differ.
 * @example
 * ```ts
 * const w = infrequencyWeights({ data: targets, classes: 5 });
 * ```
 */
export function infrequencyWeights(targets: TargetValues | readonly TargetValues[]): Float32Array {
  const list = Array.isArray(targets) ? (targets as readonly TargetValues[]) : [targets as TargetValues];
  if (list.length === 0) {
    throw new InvalidArgumentError('infrequencyWeights: empty list of targets', { field: 'targets' });
  }
  const acc = new InfrequencyWeightsAccumulator(list[0].classes);
  for (const [i, t] of list.entries()) {
    if (t.classes !== acc.classes) {
      throw new InvalidArgumentError(`targets[${i}].classes is ${t.classes}, but targets[0] has ${acc.classes}`, { field: 'targets' });
    }
    acc.add(t.data);
  }
  return acc.weights();
}
