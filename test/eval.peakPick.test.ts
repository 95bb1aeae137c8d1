/**
 * Peak-picking semantics (adtkit default, thesis compat, causal), the online picker,
 * activationsToEvents, madmom extras and input errors. Expected values here are derived by
 * hand from the rules in SPEC §6; the reference agreement is in eval.fixtures.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activationsToEvents,
  madmomOnsetPeakPicking,
  madmomPeakPicking,
  OnlinePeakPicker,
  peakPick,
  thesisComputePeaks,
  type PeakPickOptions,
  type StreamPeak,
} from '../src/eval/index.js';
import { expectAdtError } from './helpers/errors.js';

function curve(length: number, peaks: Record<number, number>): Float32Array {
  const out = new Float32Array(length);
  for (const [frame, value] of Object.entries(peaks)) out[Number(frame)] = value;
  return out;
}

function frames(activations: Float32Array | number[], options: PeakPickOptions = {}): number[] {
  return Array.from(peakPick(activations, options).peakFrames[0]);
}

describe('peakPick: adtkit semantics', () => {
  it('finds isolated peaks above the threshold', () => {
    expect(frames(curve(20, { 5: 0.9, 12: 0.7 }))).toEqual([5, 12]);
  });

  it('allows onsets in frames 0 and 1 (the thesis reference cannot report them)', () => {
    expect(frames(curve(10, { 0: 0.9 }))).toEqual([0]);
    expect(frames(curve(10, { 1: 0.9 }))).toEqual([1]);
    expect(frames(curve(10, { 0: 0.9 }), { compat: 'thesis' })).toEqual([]);
    expect(frames(curve(10, { 1: 0.9 }), { compat: 'thesis' })).toEqual([]);
    expect(frames(curve(10, { 2: 0.9 }), { compat: 'thesis' })).toEqual([2]);
  });

  it('minimum distance: n >= last + w keeps peaks exactly w frames apart; the thesis needs more than w', () => {
    // Two equal peaks 3 frames apart: max windows (m = 1) do not overlap the other peak.
    const a = curve(20, { 5: 0.9, 8: 0.9 });
    expect(frames(a, { maxRadiusFrames: 1, minDistanceFrames: 3 })).toEqual([5, 8]);
    expect(frames(a, { maxRadiusFrames: 1, minDistanceFrames: 4 })).toEqual([5]);
    expect(frames(a, { maxRadiusFrames: 1, minDistanceFrames: 3, compat: 'thesis' })).toEqual([5]);
    expect(frames(a, { maxRadiusFrames: 1, minDistanceFrames: 2, compat: 'thesis' })).toEqual([5, 8]);
  });

  it('a plateau gives one onset at its first frame (w = 2), in both semantics', () => {
    const a = curve(12, { 4: 0.8, 5: 0.8 });
    expect(frames(a)).toEqual([4]);
    expect(frames(a, { compat: 'thesis' })).toEqual([4]);
    // w = 1: every plateau frame is at least 1 after the previous onset (adtkit); the thesis needs > 1.
    expect(frames(a, { minDistanceFrames: 1 })).toEqual([4, 5]);
    expect(frames(a, { minDistanceFrames: 1, compat: 'thesis' })).toEqual([4]);
  });

  it('threshold is strict: a peak of exactly 0.5 is not an onset', () => {
    expect(frames(curve(10, { 5: 0.5 }))).toEqual([]);
    expect(frames(curve(10, { 5: 0.5 }), { compat: 'thesis' })).toEqual([]);
    expect(frames(curve(10, { 5: 0.5000001 }))).toEqual([5]);
    expect(frames(curve(10, { 5: 0.45 }), { threshold: 0.4 })).toEqual([5]);
  });

  it('a broad bump whose maximum is below mean + delta is not an onset', () => {
    // window of 5 around frame 5: mean = (0.8 + 0.85 + 0.9 + 0.85 + 0.8) / 5 = 0.84 > 0.9 - 0.1.
    const a = Float32Array.from([0, 0, 0, 0.8, 0.85, 0.9, 0.85, 0.8, 0, 0, 0]);
    expect(frames(a)).toEqual([]);
    expect(frames(a, { delta: 0.05 })).toEqual([5]);
  });

  it('mean window radius a is separate from m (adtkit) and ignored by the thesis compat', () => {
    // frame 5 = 0.9 with 0.6 two frames either side: the mean over a = 1 is 0.9 / 3 = 0.3 and
    // 0.3 + 0.55 <= 0.9 passes; over a = 2 it is 2.1 / 5 = 0.42 and 0.42 + 0.55 > 0.9 fails.
    const a = curve(12, { 3: 0.6, 5: 0.9, 7: 0.6 });
    expect(frames(a, { delta: 0.55, meanRadiusFrames: 1 })).toEqual([5]);
    expect(frames(a, { delta: 0.55, meanRadiusFrames: 2 })).toEqual([]);
    expect(frames(a, { delta: 0.55, meanRadiusFrames: 1, compat: 'thesis' })).toEqual([]);
  });

  it('sub-threshold window maxima do not block later onsets (adtkit), but they do in the thesis', () => {
    // 0.4 at frame 5 is a peak of compute_peaks; the 0.9 at frame 7 is 2 frames later.
    const a = curve(15, { 5: 0.4, 7: 0.9 });
    expect(frames(a, { maxRadiusFrames: 1 })).toEqual([7]);
    expect(frames(a, { maxRadiusFrames: 1, compat: 'thesis' })).toEqual([]);
  });

  it('delta = 0: the thesis turns all-zero windows into zero-valued peaks that can suppress a real one', () => {
    // m = 1, w = 3, last starts at -2: the all-zero window at frame 2 is kept (2 - (-2) > 3),
    // and blocks the real peak at frame 5 (5 - 2 = 3, not > 3).
    const a = curve(12, { 5: 0.9 });
    const options = { maxRadiusFrames: 1, minDistanceFrames: 3, delta: 0 } as const;
    expect(frames(a, { ...options, compat: 'thesis' })).toEqual([]);
    const out = thesisComputePeaks({ data: a, segments: 1, frames: 12, classes: 1 }, options);
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
    expect(frames(a, { ...options, compat: 'thesis', delta: 0.1 })).toEqual([5]);
    expect(frames(a, options)).toEqual([5]);
  });

  it('windows are zero-padded at the end', () => {
    // last frame: the padding counts as zeros in max and mean.
    expect(frames(curve(10, { 9: 0.6 }))).toEqual([9]);
    // A final plateau of three 0.6: every window mean is 1.8 / 5 = 0.36 (padding included).
    const plateau = Float32Array.from([0, 0, 0, 0, 0, 0, 0, 0.6, 0.6, 0.6]);
    expect(frames(plateau, { delta: 0.25 })).toEqual([]);
    // 0.6 >= 0.36 + 0.2: onsets at 7 and, w = 2 frames later, at 9; the thesis needs > 2 frames.
    expect(frames(plateau, { delta: 0.2 })).toEqual([7, 9]);
    expect(frames(plateau, { delta: 0.2, compat: 'thesis' })).toEqual([7]);
  });

  it('accepts a curve, a frame-major matrix and rows alike', () => {
    const rows = [[0, 0.1], [0.9, 0.1], [0, 0.8], [0, 0], [0, 0], [0.7, 0]];
    const flat = Float64Array.from(rows.flat());
    const fromRows = peakPick(rows);
    const fromMatrix = peakPick({ data: flat, frames: 6, classes: 2 });
    expect(fromRows).toEqual(fromMatrix);
    expect(fromRows.classes).toBe(2);
    expect(Array.from(fromRows.peakFrames[0])).toEqual([1, 5]);
    expect(Array.from(fromRows.peakFrames[1])).toEqual([2]);
    expect(Array.from(fromRows.peakHeights[0])).toEqual([0.9, 0.7]);
    expect(Array.from(peakPick(rows.map((r) => r[0])).peakFrames[0])).toEqual([1, 5]);
    expect(peakPick([]).peakFrames[0].length).toBe(0);
  });
});

describe('peakPick: causal semantics', () => {
  it('fires at the first frame of a rise that clears threshold and mean + delta', () => {
    // Causal max and mean over [n-2, n]: frame 3 (0.6) is the max of 0.2, 0.4, 0.6 and
    // 0.4 + 0.1 <= 0.6; frame 4 is 1 frame later (< w = 2); frame 5 (1.0, mean 0.8) is an onset again.
    // Offline, only the top of the rise (frame 5) is a maximum of its centred window.
    const a = Float32Array.from([0, 0.2, 0.4, 0.6, 0.8, 1.0, 0.5, 0]);
    expect(frames(a, { causal: true })).toEqual([3, 5]);
    expect(frames(a)).toEqual([5]);
  });

  it('cannot be combined with the thesis compat', () => {
    expectAdtError(() => peakPick([0, 1], { causal: true, compat: 'thesis' }), 'INVALID_ARGUMENT', /causal.*thesis/);
  });
});

describe('OnlinePeakPicker', () => {
  const optionsArb = fc.record({
    maxRadiusFrames: fc.integer({ min: 0, max: 4 }),
    meanRadiusFrames: fc.integer({ min: 0, max: 5 }),
    minDistanceFrames: fc.integer({ min: 0, max: 4 }),
    delta: fc.constantFrom(0, 0.05, 0.1, 0.3),
    threshold: fc.constantFrom(0, 0.3, 0.5),
  });
  const signalArb = fc.integer({ min: 1, max: 3 }).chain((classes) =>
    fc.record({
      classes: fc.constant(classes),
      values: fc.array(fc.oneof(fc.constant(0), fc.constant(0.6), fc.double({ min: 0, max: 1, noNaN: true })), {
        minLength: 0,
        maxLength: 60 * classes,
      }).map((v) => Float64Array.from(v.slice(0, v.length - (v.length % classes)))),
      cuts: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 6 }),
    }),
  );

  function offline(values: Float64Array, classes: number, options: PeakPickOptions): StreamPeak[] {
    const r = peakPick({ data: values, frames: values.length / classes, classes }, options);
    const out: StreamPeak[] = [];
    for (let c = 0; c < classes; c++) r.peakFrames[c].forEach((frame, i) => out.push({ frame, classIndex: c, height: r.peakHeights[c][i] }));
    return out.sort((x, y) => x.frame - y.frame || x.classIndex - y.classIndex);
  }

  function online(values: Float64Array, classes: number, causal: boolean, options: PeakPickOptions, cuts: number[]): StreamPeak[] {
    const picker = new OnlinePeakPicker({ ...options, classes, causal });
    const framesTotal = values.length / classes;
    const bounds = [...new Set([0, ...cuts.filter((c) => c < framesTotal), framesTotal])].sort((a, b) => a - b);
    const out: StreamPeak[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      out.push(...picker.push(values.subarray(bounds[i] * classes, bounds[i + 1] * classes)));
    }
    out.push(...picker.flush());
    return out;
  }

  it('causal: equals peakPick({causal: true}) for any chunking, with no latency', () => {
    fc.assert(
      fc.property(signalArb, optionsArb, ({ classes, values, cuts }, options) => {
        const expected = offline(values, classes, { ...options, causal: true });
        expect(online(values, classes, true, options, cuts)).toEqual(expected);
        expect(online(values, classes, true, options, [])).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    expect(new OnlinePeakPicker({ classes: 1 }).latencyFrames).toBe(0);
  });

  it('non-causal: equals the offline peakPick for any chunking, latency max(m, a) frames', () => {
    fc.assert(
      fc.property(signalArb, optionsArb, ({ classes, values, cuts }, options) => {
        expect(online(values, classes, false, options, cuts)).toEqual(offline(values, classes, options));
      }),
      { numRuns: 300 },
    );
    expect(new OnlinePeakPicker({ classes: 1, causal: false, maxRadiusFrames: 2, meanRadiusFrames: 3 }).latencyFrames).toBe(3);
  });

  it('reports an onset when its frame arrives (causal) or latencyFrames later (non-causal)', () => {
    const a = curve(12, { 4: 0.9 });
    const causal = new OnlinePeakPicker({ classes: 1 });
    const delayed = new OnlinePeakPicker({ classes: 1, causal: false });
    const seenCausal: number[] = [];
    const seenDelayed: number[] = [];
    for (let n = 0; n < a.length; n++) {
      if (causal.push([a[n]]).length > 0) seenCausal.push(n);
      if (delayed.push([a[n]]).length > 0) seenDelayed.push(n);
    }
    expect(seenCausal).toEqual([4]);
    expect(seenDelayed).toEqual([4 + delayed.latencyFrames]);
  });

  it('flush decides the last frames with zero padding; reset starts a new stream', () => {
    const picker = new OnlinePeakPicker({ classes: 1, causal: false });
    expect(picker.push(curve(5, { 4: 0.9 }))).toEqual([]);
    expect(picker.flush()).toEqual([{ frame: 4, classIndex: 0, height: Math.fround(0.9) }]);
    expectAdtError(() => picker.push([0.1]), 'INVALID_ARGUMENT', /reset/);
    picker.reset();
    expect(picker.framesPushed).toBe(0);
    // frame 0 is decided once frame 2 (= 0 + latency) has arrived.
    expect(picker.push(curve(3, { 0: 0.9 }))).toEqual([{ frame: 0, classIndex: 0, height: Math.fround(0.9) }]);
    expect(picker.flush()).toEqual([]);
  });

  it('handles a long stream in constant memory (frames count up across compactions)', () => {
    const picker = new OnlinePeakPicker({ classes: 2, causal: false });
    const found: number[] = [];
    for (let block = 0; block < 200; block++) {
      const chunk = new Float32Array(2 * 37);
      chunk[2 * 10] = 0.9; // class 0 at frame block*37 + 10
      for (const p of picker.push(chunk)) found.push(p.frame);
    }
    found.push(...picker.flush().map((p) => p.frame));
    expect(found).toEqual(Array.from({ length: 200 }, (_, b) => b * 37 + 10));
  });

  it('rejects chunks that are not whole frames, other class counts and bad values', () => {
    const picker = new OnlinePeakPicker({ classes: 3 });
    expectAdtError(() => picker.push(new Float32Array(4)), 'INVALID_SHAPE', /4 values.*3 classes/);
    expectAdtError(() => picker.push([[0, 1]]), 'INVALID_SHAPE', /2 classes.*3/);
    expectAdtError(() => picker.push(Float32Array.from([0, NaN, 0])), 'NON_FINITE', /NaN.*frame 0, class 1/);
    expectAdtError(() => new OnlinePeakPicker({ classes: 0 }), 'INVALID_ARGUMENT', /classes/);
    expectAdtError(() => new OnlinePeakPicker({ compat: 'thesis' } as never), 'INVALID_ARGUMENT', /compat/);
  });
});

describe('activationsToEvents', () => {
  it('turns peaks into time-sorted events with class names and velocity = peak height', () => {
    const rows = [[0, 0], [0.9, 0], [0, 0.8], [0, 0], [0, 0], [0, 0], [0.75, 0.7]];
    expect(activationsToEvents(rows, { classNames: ['KD', 'SD'] })).toEqual([
      { timeSeconds: 0.01, classIndex: 0, className: 'KD', velocity: 0.9 },
      { timeSeconds: 0.02, classIndex: 1, className: 'SD', velocity: 0.8 },
      { timeSeconds: 0.06, classIndex: 0, className: 'KD', velocity: 0.75 },
      { timeSeconds: 0.06, classIndex: 1, className: 'SD', velocity: 0.7 },
    ]);
    const events = activationsToEvents(rows, { classNames: ['KD', 'SD'], frameRate: 50, startTimeSeconds: 10 });
    [10.02, 10.04, 10.12, 10.12].forEach((t, i) => expect(events[i].timeSeconds).toBeCloseTo(t, 12));
  });

  it('uses the default five-class vocabulary and checks the number of classes', () => {
    const data = new Float32Array(10 * 5);
    data[3 * 5 + 3] = 0.9;
    expect(activationsToEvents({ data, frames: 10, classes: 5 })).toEqual([
      { timeSeconds: 0.03, classIndex: 3, className: 'HH', velocity: Math.fround(0.9) },
    ]);
    expectAdtError(() => activationsToEvents([[0, 1]]), 'INVALID_SHAPE', /2 classes but classNames has 5/);
  });
});

describe('madmomPeakPicking extras', () => {
  it('has no minimum distance: a plateau gives a peak on every frame', () => {
    const r = madmomPeakPicking(Float64Array.from([0, 0.8, 0.8, 0]), { threshold: 0.5 });
    expect(Array.from(r.frames)).toEqual([1, 2]);
  });

  it('OnsetPeakPickingProcessor-like: seconds to frames with half-to-even rounding, one curve only', () => {
    // pre/post max 0.025 s = 2.5 frames -> 2 (half to even; half up would give 3 and hide frame 7).
    const a = Float64Array.from([0, 0, 0, 0, 0.9, 0, 0, 0.8, 0, 0, 0]);
    expect(Array.from(madmomOnsetPeakPicking(a, { preMaxSeconds: 0.025, postMaxSeconds: 0.025, combineSeconds: 0 }))).toEqual([0.04, 0.07]);
    expect(Array.from(madmomOnsetPeakPicking(a, { preMaxSeconds: 0.03, postMaxSeconds: 0.03, combineSeconds: 0 }))).toEqual([0.04]);
    // combine keeps the first of onsets within 0.03 s (0.07 - 0.04 = 0.03), and the delay shifts them.
    expect(Array.from(madmomOnsetPeakPicking(a, { preMaxSeconds: 0.01, postMaxSeconds: 0.01 }))).toEqual([0.04]);
    expect(Array.from(madmomOnsetPeakPicking(a, { preMaxSeconds: 0.01, postMaxSeconds: 0.01, combineSeconds: 0.02, delaySeconds: 1 }))).toEqual([1.04, 1.07]);
    expectAdtError(() => madmomOnsetPeakPicking({ data: new Float32Array(4), frames: 2, classes: 2 } as never), 'INVALID_SHAPE', /one curve/);
    expectAdtError(() => madmomOnsetPeakPicking(a, { fps: 100 } as never), 'INVALID_ARGUMENT', /frameRate/);
    expectAdtError(() => madmomOnsetPeakPicking(a, { preMaxSeconds: -0.01 }), 'INVALID_ARGUMENT', /preMaxSeconds/);
  });

  it('checks its options like madmom does', () => {
    expectAdtError(() => madmomPeakPicking([0, 1], {} as never), 'INVALID_ARGUMENT', /threshold is required/);
    expectAdtError(() => madmomPeakPicking([0, 1, 0], { threshold: 0.5, smoothFrames: 1 }), 'INVALID_ARGUMENT', /size 1/);
    expectAdtError(() => madmomPeakPicking([0, 1, 0], { threshold: 0.5, smoothFrames: 5 }), 'INVALID_SHAPE', /longer/);
    expectAdtError(() => madmomPeakPicking([0, 1, 0], { threshold: 0.5, pre_avg: 2 } as never), 'INVALID_ARGUMENT', /preAvgFrames/);
  });
});

describe('peakPick: bad input', () => {
  it('rejects NaN and infinite activations, naming the frame and class', () => {
    expectAdtError(() => peakPick(Float32Array.from([0, NaN])), 'NON_FINITE', /NaN at frame 1/);
    expectAdtError(() => peakPick({ data: [0, 0, 0, Infinity], frames: 2, classes: 2 }), 'NON_FINITE', /frame 1, class 1/);
    expectAdtError(
      () => thesisComputePeaks({ data: Float32Array.from([0, 0, NaN, 0]), segments: 2, frames: 2, classes: 1 }),
      'NON_FINITE',
      /segment 1, frame 0/,
    );
  });

  it('rejects mismatched shapes', () => {
    expectAdtError(() => peakPick({ data: new Float32Array(9), frames: 2, classes: 5 }), 'INVALID_SHAPE', /9 values.*needs 10/);
    expectAdtError(() => peakPick([[0, 1], [0]]), 'INVALID_SHAPE', /activations\[1\] has 1 values/);
    expectAdtError(
      () => thesisComputePeaks({ data: new Float32Array(10), segments: 2, frames: 2, classes: 3 }),
      'INVALID_SHAPE',
      /needs 12/,
    );
  });

  it('rejects bad option values, and guesses the paper names', () => {
    expectAdtError(() => peakPick([0], { minDistanceFrames: -1 }), 'INVALID_ARGUMENT', /minDistanceFrames must be an integer >= 0, got -1/);
    expectAdtError(() => peakPick([0], { maxRadiusFrames: 0.02 }), 'INVALID_ARGUMENT', /frames, not seconds/);
    expectAdtError(() => peakPick([0], { delta: NaN }), 'INVALID_ARGUMENT', /delta must be a finite number/);
    expectAdtError(() => peakPick([0], { compat: 'madmom' as never }), 'INVALID_ARGUMENT', /'adtkit', 'thesis'/);
    expectAdtError(() => peakPick([0], { m: 2 } as never), 'INVALID_ARGUMENT', /unknown option 'm'.*maxRadiusFrames/);
    expectAdtError(() => peakPick([0], { w: 2 } as never), 'INVALID_ARGUMENT', /minDistanceFrames/);
    expectAdtError(() => peakPick('0.5' as never), 'INVALID_ARGUMENT', /must be a curve/);
    const segmented = { data: new Float32Array(4), segments: 1, frames: 4, classes: 1 };
    expectAdtError(() => thesisComputePeaks(segmented, { o: 2 } as never), 'INVALID_ARGUMENT', /compute_peaks ignores o/);
    expectAdtError(() => thesisComputePeaks(segmented, { minDistanceFrames: -2 }), 'INVALID_ARGUMENT', /minDistanceFrames/);
    expectAdtError(() => peakPick({ data: new Float32Array(8), frames: 4, classes: 2, segments: 1 } as never), 'INVALID_SHAPE', /segments axis/);
  });
});
