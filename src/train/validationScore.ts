/**
 * Validation scoring of the training loop: activations of the validation segments → micro-F1.
 * TEMPORARY local implementation until src/eval lands; replaced by calls into src/eval.
 */

/** Scores of one validation pass. */
export interface ValidationScore {
  /** Micro-F1 over all classes and segments. */
  microF1: number;
  /** F1 per class. */
  classF1: number[];
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
  /** Matching tolerance [frames]. @defaultValue 5 */
  toleranceFrames?: number;
}

/** The thesis validation F1 (peak picking m = a = w = 2, δ = 0.1, threshold 0.5; greedy 5-frame matching). */
export function thesisValidationScorer(options: ThesisValidationScorerOptions = {}): ValidationScorer {
  const tol = options.toleranceFrames ?? 5;
  return (act, targets, { segments, frames, classes }) => {
    const tp = new Array<number>(classes).fill(0);
    const fp = new Array<number>(classes).fill(0);
    const fn = new Array<number>(classes).fill(0);
    const m = 2;
    const w = 2;
    for (let s = 0; s < segments; s++) {
      for (let c = 0; c < classes; c++) {
        const at = (t: number) => (t < 0 || t >= frames ? 0 : act[(s * frames + t) * classes + c]);
        const est: number[] = [];
        let last = -Infinity;
        for (let t = 0; t < frames; t++) {
          const a = at(t);
          let max = -Infinity;
          let sum = 0;
          for (let d = -m; d <= m; d++) {
            const v = at(t + d);
            sum += v;
            if (v > max) max = v;
          }
          if (a === max && a >= sum / (2 * m + 1) + 0.1 && t - last > w) {
            last = t;
            if (a > 0.5) est.push(t);
          }
        }
        const ref: number[] = [];
        for (let t = 0; t < frames; t++) if (targets[(s * frames + t) * classes + c] > 0.5) ref.push(t);
        let i = 0;
        let j = 0;
        while (i < est.length && j < ref.length) {
          if (Math.abs(est[i] - ref[j]) <= tol) { tp[c]++; i++; j++; } else if (est[i] < ref[j]) { fp[c]++; i++; } else { fn[c]++; j++; }
        }
        fp[c] += est.length - i;
        fn[c] += ref.length - j;
      }
    }
    const f1 = (t: number, p: number, n: number) => {
      const prec = t + p === 0 ? 1 : t / (t + p);
      const rec = t + n === 0 ? 1 : t / (t + n);
      return prec + rec === 0 ? 0 : (2 * prec * rec) / (prec + rec);
    };
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    return { microF1: f1(sum(tp), sum(fp), sum(fn)), classF1: tp.map((t, c) => f1(t, fp[c], fn[c])) };
  };
}
