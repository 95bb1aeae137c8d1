/**
 * Events → frame targets: rounding (SPEC §3 examples), de-duplication, out-of-range policies
 * and target widening. The reference comparison is in io.labels.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AnnotationError, InvalidArgumentError } from '../src/errors.js';
import { eventsToTargets, roundHalfEven, timeToFrame, widenTargets } from '../src/io/index.js';
import type { DrumEvent } from '../src/types.js';

const ev = (timeSeconds: number, classIndex: number): DrumEvent => ({ timeSeconds, classIndex });

describe('roundHalfEven', () => {
  it.each([
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [12.5, 12], [-0.5, 0], [-1.5, -2], [-2.5, -2],
    [0.49999999999999994, 0], [2.4999999999999996, 2], [3.5000000000000004, 4], [10.499999999999998, 10],
    [7, 7], [-7, -7], [1e300, 1e300], [4503599627370497, 4503599627370497],
  ])('%d → %d (Python round)', (x, expected) => {
    expect(roundHalfEven(x)).toBe(expected);
  });

  it('returns 0, not -0, for small negatives, and passes NaN/∞ through', () => {
    expect(Object.is(roundHalfEven(-0.2), 0)).toBe(true);
    expect(Object.is(roundHalfEven(-0.5), 0)).toBe(true);
    expect(roundHalfEven(NaN)).toBeNaN();
    expect(roundHalfEven(Infinity)).toBe(Infinity);
  });
});

describe('timeToFrame', () => {
  it('reproduces the SPEC examples at 100 fps (t / 10 * 1000 in that order)', () => {
    expect(timeToFrame(0.125)).toBe(12);
    expect(timeToFrame(0.035)).toBe(4); // 3.5000000000000004
    expect(timeToFrame(0.105)).toBe(10); // 10.499999999999998
    expect(timeToFrame(3.995)).toBe(400); // the out_of_range case of labels.json
  });

  it('generalises to other frame rates', () => {
    expect(timeToFrame(1, 50)).toBe(50);
    expect(timeToFrame(0.03, 50)).toBe(2); // 1.5 → 2
    expect(timeToFrame(0.05, 50)).toBe(2); // 2.5 → 2
    expect(timeToFrame(1, 44100 / 512)).toBe(86);
  });
});

describe('eventsToTargets', () => {
  it('puts 1 in the onset frames, frame-major, with metadata', () => {
    const t = eventsToTargets([ev(0, 0), ev(0.1, 3), ev(0.125, 4)], { numFrames: 20 });
    expect(t.frames).toBe(20);
    expect(t.classes).toBe(5);
    expect(t.frameRate).toBe(100);
    expect(t.classNames).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
    expect(t.data.length).toBe(100);
    const ones = [...t.data].flatMap((v, i) => (v !== 0 ? [[Math.floor(i / 5), i % 5, v]] : []));
    expect(ones).toEqual([[0, 0, 1], [10, 3, 1], [12, 4, 1]]);
    expect(t.warnings).toEqual([]);
    expect(t.droppedEvents).toBe(0);
  });

  it('counts two onsets of one class in one frame once', () => {
    const t = eventsToTargets([ev(0.5, 0), ev(0.5, 0), ev(0.503, 0), ev(0.5, 1)], { numFrames: 60 });
    expect(t.data[50 * 5 + 0]).toBe(1);
    expect(t.data[50 * 5 + 1]).toBe(1);
    expect(t.data.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('sizes the targets from the last onset when numFrames is omitted', () => {
    expect(eventsToTargets([ev(0.2, 1), ev(0.05, 0)]).frames).toBe(21);
    expect(eventsToTargets([]).frames).toBe(0);
  });

  describe('out-of-range onsets', () => {
    const events = [ev(1, 0), ev(3.995, 1), ev(5, 2)];

    it("'drop' (default) drops them with a warning", () => {
      const seen: string[] = [];
      const t = eventsToTargets(events, { numFrames: 400, onWarning: (w) => seen.push(w) });
      expect(t.frames).toBe(400);
      expect(t.droppedEvents).toBe(2);
      expect(t.warnings).toHaveLength(1);
      expect(t.warnings[0]).toContain('dropped 2 onset(s)');
      expect(t.warnings[0]).toContain('frame 400');
      expect(seen).toEqual(t.warnings);
      expect(t.data.reduce((a, b) => a + b, 0)).toBe(1);
    });

    it("'extend' grows the targets", () => {
      const t = eventsToTargets(events, { numFrames: 400, outOfRange: 'extend' });
      expect(t.frames).toBe(501);
      expect(t.data[400 * 5 + 1]).toBe(1);
      expect(t.data[500 * 5 + 2]).toBe(1);
      expect(eventsToTargets(events, { numFrames: 1000, outOfRange: 'extend' }).frames).toBe(1000);
    });

    it("'error' throws AnnotationError like the reference (size is N but found index M)", () => {
      let err: unknown;
      try {
        eventsToTargets(events, { numFrames: 400, outOfRange: 'error' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AnnotationError);
      expect((err as AnnotationError).code).toBe('INVALID_ANNOTATION');
      expect((err as AnnotationError).message).toContain('size is 400 but found index 400');
      expect((err as AnnotationError).field).toBe('events[1].timeSeconds');
    });
  });

  it('supports other vocabularies and frame rates', () => {
    const t = eventsToTargets([ev(1, 2)], { classNames: ['KD', 'SD', 'HH'], frameRate: 50, numFrames: 60 });
    expect(t.classes).toBe(3);
    expect(t.data[50 * 3 + 2]).toBe(1);
  });

  it.each([
    ['a non-array', 'x', {}],
    ['a negative time', [ev(-0.1, 0)], {}],
    ['a NaN time', [ev(NaN, 0)], {}],
    ['an infinite time', [ev(Infinity, 0)], {}],
    ['a string time', [{ timeSeconds: '1', classIndex: 0 }], {}],
    ['classIndex 5 of 5 classes', [ev(0.1, 5)], {}],
    ['a fractional classIndex', [ev(0.1, 1.5)], {}],
    ['a velocity above 1', [{ timeSeconds: 0.1, classIndex: 0, velocity: 2 }], {}],
    ['a null event', [null], {}],
    ['numFrames -1', [], { numFrames: -1 }],
    ['numFrames 2.5', [], { numFrames: 2.5 }],
    ['frameRate 0', [], { frameRate: 0 }],
    ['empty classNames', [], { classNames: [] }],
    ['an unknown policy', [], { outOfRange: 'clip' }],
  ])('rejects %s with InvalidArgumentError', (_, events, options) => {
    expect(() => eventsToTargets(events as never, options as never)).toThrow(InvalidArgumentError);
  });

  it('hints at milliseconds for huge times', () => {
    expect(() => eventsToTargets([ev(1e6, 0)])).toThrow(/milliseconds/);
  });
});

describe('widenTargets', () => {
  const base = () => eventsToTargets([ev(0, 0), ev(0.05, 0), ev(0.06, 0), ev(0.1, 1), ev(0.19, 2)], { numFrames: 20 });
  const column = (data: Float32Array, c: number, classes = 5) => [...data].filter((_, i) => i % classes === c);

  it('gives 0.5 to the neighbours of an onset (radius 1), keeping onsets at 1', () => {
    const w = widenTargets(base());
    expect(column(w.data, 0).slice(0, 9)).toEqual([1, 0.5, 0, 0, 0.5, 1, 1, 0.5, 0]);
    expect(column(w.data, 1).slice(8, 13)).toEqual([0, 0.5, 1, 0.5, 0]);
    expect(column(w.data, 2).slice(17)).toEqual([0, 0.5, 1]); // last frame: no overflow
    expect(column(w.data, 3).every((v) => v === 0)).toBe(true);
  });

  it('keeps the metadata and does not modify its input', () => {
    const t = base();
    const before = new Float32Array(t.data);
    const w = widenTargets(t);
    expect(t.data).toEqual(before);
    expect(w.frames).toBe(t.frames);
    expect(w.classNames).toEqual(t.classNames);
    expect(w.data).not.toBe(t.data);
  });

  it('has a configurable radius and value', () => {
    const w = widenTargets(base(), { radius: 2, value: 0.25 });
    expect(column(w.data, 1).slice(7, 14)).toEqual([0, 0.25, 0.25, 1, 0.25, 0.25, 0]);
    expect(widenTargets(base(), { radius: 0 }).data).toEqual(base().data);
  });

  it('rejects bad options and malformed targets', () => {
    expect(() => widenTargets(base(), { radius: -1 })).toThrow(InvalidArgumentError);
    expect(() => widenTargets(base(), { radius: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => widenTargets(base(), { value: NaN })).toThrow(InvalidArgumentError);
    expect(() => widenTargets({ ...base(), frames: 3 })).toThrow(InvalidArgumentError);
    expect(() => widenTargets(null as never)).toThrow(InvalidArgumentError);
  });
});
