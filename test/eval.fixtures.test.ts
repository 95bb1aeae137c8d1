/**
 * adtkit/eval against the reference fixtures (eval.json): thesis evaluate.py, mir_eval 0.7
 * and madmom. Every case listed in the manifest is checked.
 */
import { describe, expect, it } from 'vitest';
import {
  activationsToEvents,
  countFrameMatches,
  fMeasureFromCounts,
  madmomOnsetPeakPicking,
  madmomPeakPicking,
  matchOnsetTimes,
  onsetF1,
  peakPick,
  scoreOnsetTimes,
  thesisComputePeaks,
  type MatchCounts,
} from '../src/eval/index.js';
import type { DrumEvent } from '../src/types.js';
import { loadArray, maxAbsDiff, readManifest } from './helpers/fixtures.js';

const manifest = readManifest('eval.json');
const thesis = manifest.thesis;
const acts = loadArray(thesis.activations);
const annotations = loadArray(thesis.annotations);
const [S, T, C] = acts.shape;

function expectRelClose(actual: number, expected: number, rtol: number, label: string): void {
  const tol = rtol * Math.abs(expected);
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

function countsToTriples(counts: MatchCounts[]): number[][] {
  return counts.map((c) => [c.truePositives, c.falsePositives, c.falseNegatives]);
}

function segment(data: Float32Array | Int32Array, s: number): Float32Array {
  return Float32Array.from(data.subarray(s * T * C, (s + 1) * T * C));
}

describe('eval fixtures: thesis evaluate.py', () => {
  it('the fixture shapes are [segments, frames, classes]', () => {
    expect(acts.shape).toEqual(annotations.shape);
    expect(C).toBe(5);
  });

  it('annotations > 0.5 are exactly the listed reference onsets', () => {
    const found: number[][] = [];
    for (let s = 0; s < S; s++) for (let n = 0; n < T; n++) for (let c = 0; c < C; c++) {
      if (annotations.data[(s * T + n) * C + c] > 0.5) found.push([s, n, c]);
    }
    expect(found).toEqual(thesis.reference_onsets);
  });

  for (const [index, pp] of (thesis.peak_picking as any[]).entries()) {
    const { m, w, delta } = pp.params;
    const label = `compute_peaks #${index} (m=${m}, w=${w}, delta=${delta})`;
    const segmented = { data: acts.data as Float32Array, segments: S, frames: T, classes: C };
    const options = { maxRadiusFrames: m, minDistanceFrames: w, delta };

    it(`${label}: thesisComputePeaks output equals the reference output`, () => {
      const out = thesisComputePeaks(segmented, options);
      const expected = loadArray(pp.output);
      const diff = maxAbsDiff(out, expected.data);
      expect(diff.max, `max |diff| at ${diff.index}`).toBe(0);
      const peaks: number[][] = [];
      for (let s = 0; s < S; s++) for (let n = 0; n < T; n++) for (let c = 0; c < C; c++) {
        if (out[(s * T + n) * C + c] !== 0) peaks.push([s, n, c]);
      }
      expect(peaks).toEqual(pp.peaks);
    });

    it(`${label}: peakPick compat 'thesis' (threshold 0) finds the reference peaks`, () => {
      const peaks: number[][] = [];
      for (let s = 0; s < S; s++) {
        const r = peakPick({ data: segment(acts.data, s), frames: T, classes: C }, { ...options, compat: 'thesis', threshold: 0 });
        for (let c = 0; c < C; c++) for (const n of r.peakFrames[c]) peaks.push([s, n, c]);
      }
      peaks.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      expect(peaks).toEqual(pp.peaks);
    });

    for (const pred of pp.predictions as any[]) {
      it(`${label}, tolerance ${pred.w}: countFrameMatches + fMeasureFromCounts equal compute_predictions + f_measure`, () => {
        const out = thesisComputePeaks(segmented, options);
        const counts = countFrameMatches(
          { data: out, segments: S, frames: T, classes: C },
          { data: annotations.data as Float32Array, segments: S, frames: T, classes: C },
          { toleranceFrames: pred.w },
        );
        expect(countsToTriples(counts.perClass)).toEqual(pred.tp_fp_fn);
        const f = fMeasureFromCounts(counts.perClass, { convention: 'thesis' });
        expectRelClose(f.micro.f1, pred.micro_f1, 1e-6, 'micro F1');
        expectRelClose(f.macro.f1, pred.macro_f1, 1e-6, 'macro F1');
        pred.class_f1.forEach((v: number, c: number) => expectRelClose(f.perClass[c].f1, v, 1e-6, `class ${c} F1`));
      });

      it(`${label}, tolerance ${pred.w}: activationsToEvents + onsetF1 (greedy, per segment) give the same counts`, () => {
        const total: MatchCounts[] = Array.from({ length: C }, () => ({ truePositives: 0, falsePositives: 0, falseNegatives: 0 }));
        for (let s = 0; s < S; s++) {
          const estimated = activationsToEvents({ data: segment(acts.data, s), frames: T, classes: C }, { ...options, compat: 'thesis' });
          const reference: DrumEvent[] = [];
          for (let n = 0; n < T; n++) for (let c = 0; c < C; c++) {
            if (annotations.data[(s * T + n) * C + c] > 0.5) reference.push({ timeSeconds: n / 100, classIndex: c });
          }
          const r = onsetF1(estimated, reference, { matching: 'greedy', toleranceFrames: pred.w, convention: 'thesis' });
          r.perClass.forEach((k, c) => {
            total[c].truePositives += k.truePositives;
            total[c].falsePositives += k.falsePositives;
            total[c].falseNegatives += k.falseNegatives;
          });
        }
        expect(countsToTriples(total)).toEqual(pred.tp_fp_fn);
        expectRelClose(fMeasureFromCounts(total, { convention: 'thesis' }).micro.f1, pred.micro_f1, 1e-6, 'micro F1');
      });
    }
  }

  for (const [index, fc] of (thesis.f_measure_cases as any[]).entries()) {
    it(`f_measure case #${index}: fMeasureFromCounts (thesis) equals the reference`, () => {
      const counts = (fc.tp_fp_fn as number[][]).map(([tp, fp, fn]) => ({ truePositives: tp, falsePositives: fp, falseNegatives: fn }));
      const f = fMeasureFromCounts(counts, { convention: 'thesis' });
      expectRelClose(f.micro.f1, fc.micro_f1, 1e-6, 'micro F1');
      expectRelClose(f.macro.f1, fc.macro_f1, 1e-6, 'macro F1');
      fc.class_f1.forEach((v: number, c: number) => expectRelClose(f.perClass[c].f1, v, 1e-6, `class ${c} F1`));
      // float32 arithmetic reproduces the stored float32 values bit for bit.
      expect(f.micro.f1).toBe(fc.micro_f1);
      expect(f.perClass.map((k) => k.f1)).toEqual(fc.class_f1);
    });
  }
});

describe('eval fixtures: mir_eval 0.7 onset.f_measure / match_events', () => {
  for (const kase of manifest.mir_eval.cases as any[]) {
    for (const res of kase.results as any[]) {
      it(`${kase.name}, window ${res.window}`, () => {
        const est: number[] = kase.estimated;
        const ref: number[] = kase.reference;
        expect(matchOnsetTimes(est, ref, { windowSeconds: res.window }).matches).toBe(res.matches);
        const s = scoreOnsetTimes(est, ref, { windowSeconds: res.window });
        expect(s.truePositives).toBe(res.matches);
        expectRelClose(s.precision, res.precision, 1e-12, 'precision');
        expectRelClose(s.recall, res.recall, 1e-12, 'recall');
        expectRelClose(s.f1, res.f_measure, 1e-12, 'F-measure');
        // The same through onsetF1 with a one-class vocabulary.
        const toEvents = (times: number[]): DrumEvent[] => times.map((t) => ({ timeSeconds: t, classIndex: 0 }));
        const r = onsetF1(toEvents(est), toEvents(ref), { windowSeconds: res.window, classNames: ['X'] });
        expect(r.perClass[0].truePositives).toBe(res.matches);
        expectRelClose(r.micro.f1, res.f_measure, 1e-12, 'onsetF1 micro F');
        // The fixture flags the cases where mir_eval's rule and |ref - est| <= w disagree on a pair.
        const w = res.window;
        const differs = est.some((e) => ref.some((r0) => (e - w <= r0 && r0 <= e + w) !== (Math.abs(r0 - e) <= w)));
        expect(differs).toBe(res.window_test_differs_from_abs_diff);
      });
    }
  }
});

describe('eval fixtures: madmom peak_picking and OnsetPeakPickingProcessor', () => {
  const act2d = loadArray(manifest.madmom.activations_2d);
  const [frames, classes] = act2d.shape;
  const matrix32 = act2d.data as Float32Array;
  const column0 = new Float32Array(frames);
  for (let n = 0; n < frames; n++) column0[n] = matrix32[n * classes];

  for (const [index, pp] of (manifest.madmom.peak_picking as any[]).entries()) {
    const p = pp.params;
    const options = {
      threshold: p.threshold,
      smoothFrames: p.smooth ?? undefined,
      preAvgFrames: p.pre_avg,
      postAvgFrames: p.post_avg,
      preMaxFrames: p.pre_max,
      postMaxFrames: p.post_max,
    };
    it(`peak_picking #${index} ${JSON.stringify(p)}: 1-D peaks`, () => {
      expect(Array.from(madmomPeakPicking(column0, options).frames)).toEqual(pp.peaks_1d);
      expect(Array.from(madmomPeakPicking(Float64Array.from(column0), options).frames)).toEqual(pp.peaks_1d);
    });
    it(`peak_picking #${index} ${JSON.stringify(p)}: 2-D peaks ([frame, class], np.nonzero order)`, () => {
      for (const data of [matrix32, Float64Array.from(matrix32)]) {
        const r = madmomPeakPicking({ data, frames, classes }, options);
        expect(Array.from(r.frames, (f, i) => [f, r.classIndices[i]])).toEqual(pp.peaks_2d);
      }
    });
  }

  for (const [index, kase] of (manifest.madmom.onset_peak_picking_processor.cases as any[]).entries()) {
    it(`OnsetPeakPickingProcessor #${index} ${JSON.stringify(kase.params)}`, () => {
      const p = kase.params;
      const onsets = madmomOnsetPeakPicking(column0, {
        threshold: p.threshold,
        smoothSeconds: p.smooth,
        preAvgSeconds: p.pre_avg,
        postAvgSeconds: p.post_avg,
        preMaxSeconds: p.pre_max,
        postMaxSeconds: p.post_max,
        combineSeconds: p.combine,
        delaySeconds: p.delay,
        frameRate: p.fps,
      });
      expect(onsets.length).toBe(kase.onsets_seconds.length);
      kase.onsets_seconds.forEach((t: number, i: number) => expectRelClose(onsets[i], t, 1e-12, `onset ${i}`));
      // madmom's float64 arithmetic (frame / fps + delay) gives the same doubles.
      expect(Array.from(onsets)).toEqual(kase.onsets_seconds);
    });
  }
});
