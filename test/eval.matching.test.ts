/**
 * Onset matching and scores: the linear-time maximum matching against an exhaustive
 * augmenting-path search, the greedy frame matching, empty-set conventions, onsetF1 and its
 * input checks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  combineOnsetTimes,
  countFrameMatches,
  fMeasureFromCounts,
  matchOnsetFrames,
  matchOnsetTimes,
  onsetF1,
  scoreOnsetTimes,
} from '../src/eval/index.js';
import type { DrumEvent } from '../src/types.js';
import { expectAdtError } from './helpers/errors.js';

/**
 * Maximum bipartite matching by Kuhn's augmenting paths over the full hit graph
 * (mir_eval's hit rule), O(n·m·(n+m)): the independent reference for small inputs.
 */
function bruteForceMaximumMatching(est: number[], ref: number[], w: number): number {
  const hits = est.map((e) => ref.map((r) => e - w <= r && r <= e + w));
  const refOwner = new Array<number>(ref.length).fill(-1);
  const tryAugment = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < ref.length; j++) {
      if (!hits[i][j] || seen[j]) continue;
      seen[j] = true;
      if (refOwner[j] < 0 || tryAugment(refOwner[j], seen)) {
        refOwner[j] = i;
        return true;
      }
    }
    return false;
  };
  let count = 0;
  for (let i = 0; i < est.length; i++) if (tryAugment(i, new Array<boolean>(ref.length).fill(false))) count++;
  return count;
}

// Times on a 10 ms grid (exact window-edge cases) or continuous, sorted.
const timesArb = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 300 }).map((k) => k / 100), fc.double({ min: 0, max: 3, noNaN: true })), { maxLength: 25 })
  .map((t) => t.sort((a, b) => a - b));

describe('matchOnsetTimes (maximum matching, mir_eval hit rule)', () => {
  it('finds as many matches as an exhaustive augmenting-path search, with valid one-to-one pairs', () => {
    fc.assert(
      fc.property(timesArb, timesArb, fc.constantFrom(0, 0.01, 0.025, 0.05, 0.1), (est, ref, w) => {
        const m = matchOnsetTimes(est, ref, { windowSeconds: w });
        expect(m.matches).toBe(bruteForceMaximumMatching(est, ref, w));
        expect(m.estimatedIndices.length).toBe(m.matches);
        expect(new Set(m.estimatedIndices).size).toBe(m.matches);
        expect(new Set(m.referenceIndices).size).toBe(m.matches);
        m.estimatedIndices.forEach((i, k) => {
          const e = est[i];
          const r = ref[m.referenceIndices[k]];
          expect(e - w <= r && r <= e + w).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('uses est - w <= ref <= est + w, not |ref - est| <= w (SPEC §6 examples)', () => {
    // In float64, 0.67 - 0.05 rounds to exactly 0.62: a match, although |0.62 - 0.67| = 0.05000000000000004 > 0.05.
    expect(0.67 - 0.05).toBe(0.62);
    expect(Math.abs(0.62 - 0.67) <= 0.05).toBe(false);
    expect(matchOnsetTimes([0.67], [0.62]).matches).toBe(1);
    // 0.28 - 0.05 = 0.23000000000000004 > 0.23: no match.
    expect(0.28 - 0.05 > 0.23).toBe(true);
    expect(matchOnsetTimes([0.28], [0.23]).matches).toBe(0);
  });

  it('beats a greedy nearest-first matching on a chain', () => {
    expect(matchOnsetTimes([1.03, 1.08], [1.0, 1.04], { windowSeconds: 0.05 }).matches).toBe(2);
  });

  it('is linear in the input size: an hour of dense onsets matches quickly', () => {
    const n = 200_000;
    const ref = Float64Array.from({ length: n }, (_, i) => i * 0.018);
    const est = Float64Array.from(ref, (t, i) => t + (i % 4) * 0.004);
    const started = performance.now();
    const m = matchOnsetTimes(est, ref);
    expect(m.matches).toBe(n);
    // O(n·m) would take minutes; allow a slow shared machine plenty of room.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects unsorted, negative, non-finite and too large times, and bad windows', () => {
    expectAdtError(() => matchOnsetTimes([1, 0.5], [0]), 'INVALID_ARGUMENT', /sorted.*estimatedSeconds\[1\] = 0.5 < estimatedSeconds\[0\] = 1/);
    expectAdtError(() => matchOnsetTimes([0], [-0.1]), 'INVALID_ARGUMENT', /referenceSeconds\[0\] = -0.1 is negative/);
    expectAdtError(() => matchOnsetTimes([NaN], [0]), 'NON_FINITE', /estimatedSeconds\[0\]/);
    expectAdtError(() => matchOnsetTimes([45000], [0]), 'INVALID_ARGUMENT', /did you supply event times in seconds/);
    expectAdtError(() => matchOnsetTimes([0], [0], { windowSeconds: -0.01 }), 'INVALID_ARGUMENT', /windowSeconds.*cannot be negative/);
    expectAdtError(() => matchOnsetTimes([0], [0], { windowSeconds: 50 }), 'INVALID_ARGUMENT', /50 ms is 0.05/);
    expectAdtError(() => matchOnsetTimes([0], [0], { window: 0.05 } as never), 'INVALID_ARGUMENT', /did you mean windowSeconds/);
    expectAdtError(() => matchOnsetTimes([{ timeSeconds: 0 }] as never, [0]), 'INVALID_ARGUMENT', /onsetF1/);
  });
});

describe('matchOnsetFrames (thesis greedy)', () => {
  it('merges the sorted lists front to front', () => {
    const m = matchOnsetFrames([10, 40], [12, 90]);
    expect([m.truePositives, m.falsePositives, m.falseNegatives]).toEqual([1, 1, 1]);
    expect(Array.from(m.estimatedIndices)).toEqual([0]);
    expect(Array.from(m.referenceIndices)).toEqual([0]);
  });

  it('counts a difference of exactly the tolerance as a hit, one more as a miss', () => {
    expect(matchOnsetFrames([15], [10]).truePositives).toBe(1);
    expect(matchOnsetFrames([16], [10]).truePositives).toBe(0);
    expect(matchOnsetFrames([5], [10]).truePositives).toBe(1);
    expect(matchOnsetFrames([16], [10], { toleranceFrames: 6 }).truePositives).toBe(1);
  });

  it('on sorted integer frames the greedy merge is a maximum matching for |a - r| <= tolerance', () => {
    const framesArb = fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 20 }).map((f) => f.sort((x, y) => x - y));
    fc.assert(
      fc.property(framesArb, framesArb, fc.integer({ min: 0, max: 6 }), (est, ref, tol) => {
        // |a - r| <= tol is the same as a - tol <= r <= a + tol on integers.
        expect(matchOnsetFrames(est, ref, { toleranceFrames: tol }).truePositives).toBe(bruteForceMaximumMatching(est, ref, tol));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects non-integer, negative or unsorted frames and negative tolerances', () => {
    expectAdtError(() => matchOnsetFrames([0.5], [1]), 'INVALID_ARGUMENT', /not a frame index.*seconds/);
    expectAdtError(() => matchOnsetFrames([-1], [1]), 'INVALID_ARGUMENT', /not a frame index/);
    expectAdtError(() => matchOnsetFrames([3, 2], [1]), 'INVALID_ARGUMENT', /sorted/);
    expectAdtError(() => matchOnsetFrames([1], [1], { toleranceFrames: -1 }), 'INVALID_ARGUMENT', /toleranceFrames must be an integer >= 0/);
  });
});

describe('empty-set conventions', () => {
  const cases = [
    { name: 'both empty', est: [], ref: [], mir_eval: [0, 0, 0], madmom: [1, 1, 1], thesis: [1, 1, 1] },
    { name: 'no estimates', est: [], ref: [1], mir_eval: [0, 0, 0], madmom: [1, 0, 0], thesis: [1, 0, 0] },
    { name: 'no references', est: [1], ref: [], mir_eval: [0, 0, 0], madmom: [0, 1, 0], thesis: [0, 1, 0] },
    { name: 'no match', est: [1], ref: [2], mir_eval: [0, 0, 0], madmom: [0, 0, 0], thesis: [0, 0, 0] },
    { name: 'half', est: [1, 3], ref: [1, 2], mir_eval: [0.5, 0.5, 0.5], madmom: [0.5, 0.5, 0.5], thesis: [0.5, 0.5, 0.5] },
  ];
  for (const c of cases) {
    for (const convention of ['mir_eval', 'madmom', 'thesis'] as const) {
      it(`${c.name}, ${convention}: [P, R, F] = ${JSON.stringify(c[convention])}`, () => {
        const s = scoreOnsetTimes(c.est, c.ref, { convention });
        expect([s.precision, s.recall, s.f1]).toEqual(c[convention]);
      });
    }
  }

  it('macro averages class scores; micro uses summed counts', () => {
    const counts = [
      { truePositives: 1, falsePositives: 1, falseNegatives: 0 },
      { truePositives: 0, falsePositives: 0, falseNegatives: 0 },
    ];
    const mir = fMeasureFromCounts(counts);
    expect(mir.perClass[1].f1).toBe(0);
    expect(mir.macro.f1).toBeCloseTo((2 / 3 + 0) / 2, 15);
    expect(mir.micro.f1).toBeCloseTo(2 / 3, 15);
    const madmom = fMeasureFromCounts(counts, { convention: 'madmom', classNames: ['KD', 'SD'] });
    expect(madmom.perClass[1]).toMatchObject({ className: 'SD', precision: 1, recall: 1, f1: 1 });
    expect(madmom.macro.f1).toBeCloseTo((2 / 3 + 1) / 2, 15);
    expect(madmom.macro.precision).toBeCloseTo(0.75, 15);
  });

  it('thesis convention is float32', () => {
    const f = fMeasureFromCounts([{ truePositives: 1, falsePositives: 2, falseNegatives: 0 }], { convention: 'thesis' });
    expect(f.micro.precision).toBe(Math.fround(1 / 3));
    expect(f.micro.f1).toBe(Math.fround(Math.fround(2 * Math.fround(Math.fround(1 / 3) * 1)) / Math.fround(Math.fround(1 / 3) + 1)));
  });

  it('fMeasureFromCounts rejects bad counts', () => {
    expectAdtError(() => fMeasureFromCounts([{ truePositives: 1.5, falsePositives: 0, falseNegatives: 0 }]), 'INVALID_ARGUMENT', /counts\[0\].truePositives/);
    expectAdtError(() => fMeasureFromCounts([], { convention: 'sklearn' as never }), 'INVALID_ARGUMENT', /'mir_eval', 'madmom', 'thesis'/);
    expectAdtError(() => fMeasureFromCounts([{ truePositives: 0, falsePositives: 0, falseNegatives: 0 }], { classNames: ['a', 'b'] }), 'INVALID_ARGUMENT', /one name per entry/);
  });
});

describe('onsetF1', () => {
  const ev = (timeSeconds: number, classIndex: number, className?: string): DrumEvent =>
    className === undefined ? { timeSeconds, classIndex } : { timeSeconds, classIndex, className };

  it('matches only within a class and reports per-class, micro and macro scores', () => {
    const est = [ev(0.5, 0), ev(0.5, 1), ev(1.0, 3), ev(2.0, 3)];
    const ref = [ev(0.52, 0), ev(1.01, 3), ev(1.5, 4)];
    const r = onsetF1(est, ref);
    expect(r.matching).toBe('bipartite');
    expect(r.convention).toBe('mir_eval');
    expect(r.perClass.map((c) => [c.className, c.truePositives, c.falsePositives, c.falseNegatives])).toEqual([
      ['KD', 1, 0, 0],
      ['SD', 0, 1, 0],
      ['TT', 0, 0, 0],
      ['HH', 1, 1, 0],
      ['CY', 0, 0, 1],
    ]);
    expect(r.micro).toMatchObject({ truePositives: 2, falsePositives: 2, falseNegatives: 1 });
    expect(r.micro.precision).toBe(0.5);
    expect(r.micro.recall).toBe(2 / 3);
    expect(r.macro.f1).toBeCloseTo((1 + 0 + 0 + 2 / 3 + 0) / 5, 15);
  });

  it('greedy matching works on frames at the frame rate', () => {
    const est = [ev(0.105, 0)]; // round-half-even(10.5) = 10 frames
    const ref = [ev(0.15, 0)]; // 15 frames
    expect(onsetF1(est, ref, { matching: 'greedy', toleranceFrames: 5 }).micro.truePositives).toBe(1);
    expect(onsetF1(est, ref, { matching: 'greedy', toleranceFrames: 4 }).micro.truePositives).toBe(0);
    // at 50 fps: 5.25 -> 5 and 7.5 -> 8 (half to even): 3 frames apart.
    expect(onsetF1(est, ref, { matching: 'greedy', toleranceFrames: 3, frameRate: 50 }).micro.truePositives).toBe(1);
    expect(onsetF1(est, ref, { matching: 'greedy', toleranceFrames: 2, frameRate: 50 }).micro.truePositives).toBe(0);
  });

  it('accepts classes in any order as long as each class is sorted by time', () => {
    const est = [ev(1, 1), ev(2, 1), ev(0.5, 0), ev(1.5, 0)];
    const ref = [ev(0.5, 0), ev(1.5, 0), ev(1, 1), ev(2, 1)];
    expect(onsetF1(est, ref).micro.f1).toBe(1);
  });

  it('custom vocabularies', () => {
    const r = onsetF1([ev(1, 2, 'HH')], [ev(1, 2, 'HH')], { classNames: ['KD', 'SD', 'HH'] });
    expect(r.perClass).toHaveLength(3);
    expect(r.perClass[2]).toMatchObject({ className: 'HH', f1: 1 });
  });

  it('rejects bad events with messages naming the event', () => {
    expectAdtError(() => onsetF1([ev(2, 0), ev(1, 0)], []), 'INVALID_ARGUMENT', /sorted by time within each class.*estimated\[1\] \(KD\) at 1 s comes after estimated\[0\] at 2 s/);
    expectAdtError(() => onsetF1([], [ev(-1, 0)]), 'INVALID_ARGUMENT', /reference\[0\].timeSeconds = -1 is negative/);
    expectAdtError(() => onsetF1([ev(NaN, 0)], []), 'NON_FINITE', /estimated\[0\].timeSeconds/);
    expectAdtError(() => onsetF1([ev(120000, 0)], []), 'INVALID_ARGUMENT', /did you supply event times in seconds/);
    expectAdtError(() => onsetF1([ev(1, 5)], []), 'INVALID_ARGUMENT', /classIndex = 5.*\[0, 4\]/);
    expectAdtError(() => onsetF1([ev(1, 1.5)], []), 'INVALID_ARGUMENT', /classIndex = 1.5/);
    expectAdtError(() => onsetF1([ev(1, 2, 'HH')], []), 'INVALID_ARGUMENT', /className "HH" but class 2 is "TT"/);
    expectAdtError(() => onsetF1({} as never, []), 'INVALID_ARGUMENT', /array of DrumEvent/);
    expectAdtError(() => onsetF1([], [], { toleranceFrames: -2 }), 'INVALID_ARGUMENT', /toleranceFrames/);
    expectAdtError(() => onsetF1([], [], { windowSeconds: -0.05 }), 'INVALID_ARGUMENT', /windowSeconds/);
    expectAdtError(() => onsetF1([], [], { matching: 'hungarian' as never }), 'INVALID_ARGUMENT', /'bipartite', 'greedy'/);
    expectAdtError(() => onsetF1([], [], { fps: 100 } as never), 'INVALID_ARGUMENT', /frameRate/);
  });
});

describe('countFrameMatches', () => {
  it('never matches across segments and checks shapes', () => {
    // segment 0 has an estimate at its last frame, segment 1 a reference at its first.
    const est = new Float32Array(2 * 4);
    const ref = new Float32Array(2 * 4);
    est[3] = 0.9;
    ref[4] = 1;
    const r = countFrameMatches({ data: est, segments: 2, frames: 4, classes: 1 }, { data: ref, segments: 2, frames: 4, classes: 1 });
    expect(r.total).toEqual({ truePositives: 0, falsePositives: 1, falseNegatives: 1 });
    expectAdtError(
      () => countFrameMatches({ data: est, segments: 2, frames: 4, classes: 1 }, { data: ref, segments: 1, frames: 8, classes: 1 }),
      'INVALID_SHAPE',
      /\[2, 4, 1\].*\[1, 8, 1\]/,
    );
  });

  it('uses strict thresholds (0.5 is neither an onset nor a reference)', () => {
    const est = Float32Array.from([0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.51]);
    const ref = Float32Array.from([0.5, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const r = countFrameMatches({ data: est, segments: 1, frames: 10, classes: 1 }, { data: ref, segments: 1, frames: 10, classes: 1 });
    expect(r.total).toEqual({ truePositives: 1, falsePositives: 0, falseNegatives: 0 });
  });
});

describe('combineOnsetTimes', () => {
  it('keeps an onset only if it is more than combineSeconds after the last kept one', () => {
    expect(Array.from(combineOnsetTimes([1.0, 1.02, 1.04, 1.1]))).toEqual([1.0, 1.04, 1.1]);
    expect(Array.from(combineOnsetTimes([1.0, 1.03]))).toEqual([1.0]);
    expect(Array.from(combineOnsetTimes([1.0, 1.02], { mode: 'mean' }))).toEqual([1.01]);
    expect(Array.from(combineOnsetTimes([1.0, 1.02], { mode: 'right' }))).toEqual([1.02]);
    expectAdtError(() => combineOnsetTimes([0], { combineSeconds: -1 }), 'INVALID_ARGUMENT', /combineSeconds/);
  });
});
