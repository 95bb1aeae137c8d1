import { describe, expect, it } from 'vitest';
import { loadArray, readManifest } from './helpers/fixtures.js';
import { thesisValidationScorer } from '../src/train/index.js';

const thesis = readManifest('eval.json').thesis;

describe('thesisValidationScorer against eval.json (evaluate.compute_peaks + compute_predictions + f_measure)', () => {
  const act = loadArray(thesis.activations);
  const ann = loadArray(thesis.annotations);
  const [segments, frames, classes] = act.shape;
  for (const [i, pp] of (thesis.peak_picking as any[]).entries()) {
    for (const pred of pp.predictions as any[]) {
      it(`peak picking case ${i} (m ${pp.params.m}, w ${pp.params.w}, δ ${pp.params.delta}), tolerance ${pred.w}`, () => {
        const score = thesisValidationScorer({
          peaks: { maxRadiusFrames: pp.params.m, minDistanceFrames: pp.params.w, delta: pp.params.delta },
          matching: { toleranceFrames: pred.w },
        })(act.data as Float32Array, ann.data as Float32Array, { segments, frames, classes });
        expect(score.counts!.map((c) => [c.truePositives, c.falsePositives, c.falseNegatives])).toEqual(pred.tp_fp_fn);
        expect(Math.abs(score.microF1 - pred.micro_f1) / pred.micro_f1).toBeLessThanOrEqual(1e-6);
        score.classF1.forEach((f, c) => expect(Math.abs(f - pred.class_f1[c])).toBeLessThanOrEqual(1e-6 * Math.max(1, pred.class_f1[c])));
      });
    }
  }
});
