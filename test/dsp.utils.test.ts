/**
 * Standardisation, segmentation, segment padding and the log-filtered spectrogram
 * processor's options and errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  LogFilteredSpectrogramProcessor,
  applyStandardization,
  computeSegmentPadding,
  fitStandardization,
  logFilteredSpectrogram,
  padToSegments,
  segmentFrames,
  type FrameMatrix,
  type StandardizationStats,
} from '../src/dsp/index.js';
import { expectAdtError as expectCode } from './helpers/errors.js';

function matrix(frames: number, bins: number, seed: number, offset = 0, scale = 1): FrameMatrix {
  let s = seed;
  const data = new Float32Array(frames * bins);
  for (let i = 0; i < data.length; i++) {
    s = (s * 48271) % 2147483647;
    data[i] = offset + scale * (s / 2147483647) + 0.1 * (i % bins);
  }
  return { data, frames, bins };
}

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

describe('fitStandardization / applyStandardization', () => {
  const set = [matrix(50, 6, 1), matrix(30, 6, 2, 1, 3), matrix(70, 6, 3, -2, 0.5)];

  it("'pooled' (default): mean and unbiased std of all values", () => {
    const stats = fitStandardization(set);
    const all = set.flatMap((m) => Array.from(m.data));
    const ref = meanStd(all);
    expect(stats.perBand).toBe(false);
    expect(stats.method).toBe('pooled');
    expect(stats.mean).toHaveLength(1);
    expect(stats.mean[0]).toBeCloseTo(ref.mean, 10);
    expect(stats.std[0]).toBeCloseTo(ref.std, 10);
    expect(stats.count).toBe(all.length);
  });

  it("'thesis': mean of per-spectrogram means and of per-spectrogram unbiased stds", () => {
    const stats = fitStandardization(set, { method: 'thesis' });
    const parts = set.map((m) => meanStd(Array.from(m.data)));
    expect(stats.mean[0]).toBeCloseTo(parts.reduce((a, p) => a + p.mean, 0) / parts.length, 10);
    expect(stats.std[0]).toBeCloseTo(parts.reduce((a, p) => a + p.std, 0) / parts.length, 10);
    expect(stats.count).toBe(3);
  });

  it('perBand: one pair per bin (both methods)', () => {
    for (const method of ['pooled', 'thesis'] as const) {
      const stats = fitStandardization(set, { perBand: true, method });
      expect(stats.mean).toHaveLength(6);
      for (const b of [0, 5]) {
        const column = (m: FrameMatrix) => Array.from({ length: m.frames }, (_, t) => m.data[t * m.bins + b]);
        if (method === 'pooled') {
          const ref = meanStd(set.flatMap(column));
          expect(stats.mean[b]).toBeCloseTo(ref.mean, 10);
          expect(stats.std[b]).toBeCloseTo(ref.std, 10);
        } else {
          const parts = set.map((m) => meanStd(column(m)));
          expect(stats.mean[b]).toBeCloseTo(parts.reduce((a, p) => a + p.mean, 0) / 3, 10);
          expect(stats.std[b]).toBeCloseTo(parts.reduce((a, p) => a + p.std, 0) / 3, 10);
        }
      }
    }
  });

  it('applying pooled statistics to the training set gives mean 0 and std 1; JSON round trip', () => {
    for (const perBand of [false, true]) {
      const stats = fitStandardization(set, { perBand });
      const restored = JSON.parse(JSON.stringify(stats)) as StandardizationStats;
      expect(restored).toEqual(stats);
      const outputs = set.map((m) => applyStandardization({ ...m, sampleRate: 100 }, restored));
      expect(outputs[0].sampleRate).toBe(100);
      const all = outputs.flatMap((o) => Array.from(o.data));
      const ref = meanStd(all);
      expect(ref.mean).toBeCloseTo(0, 5);
      if (!perBand) expect(ref.std).toBeCloseTo(1, 5);
      for (const b of [0, 3, 5]) {
        const column = meanStd(outputs.flatMap((o) => Array.from({ length: o.frames }, (_, t) => o.data[t * o.bins + b])));
        expect(column.mean).toBeCloseTo(perBand ? 0 : column.mean, 5);
        if (perBand) expect(column.std).toBeCloseTo(1, 5);
      }
      const direct = applyStandardization(set[0], stats);
      expect(Array.from(direct.data)).toEqual(Array.from(outputs[0].data));
    }
  });

  it('a constant band is only centred (std 0 treated as 1)', () => {
    const flat: FrameMatrix = { data: new Float32Array(20).fill(3), frames: 10, bins: 2 };
    const stats = fitStandardization([flat], { perBand: true });
    expect(stats.std).toEqual([0, 0]);
    expect(Array.from(applyStandardization(flat, stats).data).every((v) => v === 0)).toBe(true);
  });

  it('errors', () => {
    expectCode(() => fitStandardization([]), 'INVALID_ARGUMENT');
    expectCode(() => fitStandardization([matrix(3, 4, 1), matrix(3, 5, 1)]), 'INVALID_SHAPE');
    expectCode(() => fitStandardization([{ data: new Float32Array(5), frames: 2, bins: 3 }]), 'INVALID_SHAPE');
    expectCode(() => fitStandardization([{ data: new Float32Array(0), frames: 0, bins: 3 }]), 'INVALID_ARGUMENT');
    const nan = matrix(3, 2, 1);
    nan.data[4] = NaN;
    expectCode(() => fitStandardization([nan]), 'NON_FINITE');
    expectCode(() => fitStandardization(set, { method: 'minmax' as never }), 'INVALID_ARGUMENT');
    const perBand = fitStandardization(set, { perBand: true });
    expectCode(() => applyStandardization(matrix(3, 5, 1), perBand), 'INVALID_SHAPE');
    expectCode(() => applyStandardization(matrix(3, 6, 1), { ...perBand, std: [1] }), 'INVALID_ARGUMENT');
    expectCode(() => applyStandardization(matrix(3, 6, 1), null as never), 'INVALID_ARGUMENT');
  });
});

describe('segmentFrames', () => {
  it('400-frame segments, last one zero-padded, valid frame counts', () => {
    const m = matrix(1000, 3, 7);
    const r = segmentFrames(m);
    expect(r.numSegments).toBe(3);
    expect(r.segmentLength).toBe(400);
    expect(r.validFrames).toBe(1000);
    expect(Array.from(r.validFramesPerSegment)).toEqual([400, 400, 200]);
    expect(r.data.length).toBe(3 * 400 * 3);
    expect(r.segments[2].length).toBe(1200);
    expect(Array.from(r.segments[1].subarray(0, 3))).toEqual(Array.from(m.data.subarray(400 * 3, 401 * 3)));
    expect(Array.from(r.segments[2].subarray(0, 600))).toEqual(Array.from(m.data.subarray(800 * 3)));
    expect(r.segments[2].subarray(600).every((v) => v === 0)).toBe(true);
    expect(r.segments[0].buffer).toBe(r.data.buffer); // views, no copies
  });

  it('exact multiples, short inputs and empty inputs', () => {
    expect(segmentFrames(matrix(800, 2, 1)).numSegments).toBe(2);
    const short = segmentFrames(matrix(5, 2, 1));
    expect(short.numSegments).toBe(1);
    expect(Array.from(short.validFramesPerSegment)).toEqual([5]);
    expect(segmentFrames({ data: new Float32Array(0), frames: 0, bins: 2 }).numSegments).toBe(0);
  });

  it('overlapping segments with hopFrames', () => {
    const r = segmentFrames(matrix(1000, 1, 3), { hopFrames: 200 });
    expect(r.numSegments).toBe(4);
    expect(Array.from(r.validFramesPerSegment)).toEqual([400, 400, 400, 400]);
    const s = segmentFrames(matrix(1001, 1, 3), { hopFrames: 200 });
    expect(s.numSegments).toBe(5);
    expect(s.validFramesPerSegment[4]).toBe(201);
  });

  it('property: the valid parts concatenate back to the input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 60 }), (frames, bins, length) => {
        const m = matrix(frames, bins, frames * 7 + bins);
        const r = segmentFrames(m, { segmentLength: length });
        expect(r.numSegments).toBe(Math.ceil(frames / length));
        const parts: number[] = [];
        r.segments.forEach((seg, i) => parts.push(...seg.subarray(0, r.validFramesPerSegment[i] * bins)));
        expect(parts).toEqual(Array.from(m.data));
      }),
      { numRuns: 50 },
    );
  });

  it('errors', () => {
    expectCode(() => segmentFrames(matrix(10, 2, 1), { segmentLength: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => segmentFrames(matrix(10, 2, 1), { segmentLength: 4, hopFrames: 5 }), 'INVALID_ARGUMENT');
    expectCode(() => segmentFrames({ data: new Float32Array(3), frames: 2, bins: 2 }), 'INVALID_SHAPE');
    expectCode(() => segmentFrames({ data: [1, 2] as never, frames: 1, bins: 2 }), 'INVALID_ARGUMENT');
  });
});

describe('segment padding beyond the fixture table', () => {
  it("compat 'thesis' follows the reference's float32 arithmetic beyond 2^24 samples", () => {
    // numpy float32 (same operations as the reference's torch float32 tensors) gives 175960 here;
    // exact integer arithmetic would give -440 (crop) and adtkit's default 0.
    const n = 40000 * 441 - 1;
    expect(computeSegmentPadding(n, 44100, { compat: 'thesis' }).padding).toBe(175960);
    const exact = computeSegmentPadding(n, 44100);
    expect(exact.padding).toBe(0);
    expect(exact.numFrames % 400).toBe(0);
  });

  it('property: the default padding never crops and always yields a multiple of 400 frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5_000_000 }), fc.constantFrom(8000, 16000, 22050, 44100, 48000), (n, sr) => {
        const p = computeSegmentPadding(n, sr);
        expect(p.padding).toBeGreaterThanOrEqual(0);
        expect(p.numFrames % 400).toBe(0);
        expect(p.numFrames).toBe(Math.ceil(p.inputFrames / 400) * 400);
        expect(p.numFrames).toBe(1 + Math.floor(p.paddedNumSamples / p.hopLength));
      }),
      { numRuns: 200 },
    );
  });

  it('padToSegments appends zeros; compat crops', () => {
    const x = Float32Array.from({ length: 176399 }, (_, i) => (i % 7) / 7);
    const padded = padToSegments(x, 44100);
    expect(padded.length).toBe(176399);
    expect(Array.from(padded.subarray(0, 10))).toEqual(Array.from(x.subarray(0, 10)));
    expect(padToSegments(x, 44100, { compat: 'thesis' }).length).toBe(175959);
    const small = padToSegments([0.5, 0.5], 44100, { segmentFrames: 1 });
    expect(small.length).toBe(2);
  });

  it('errors', () => {
    expectCode(() => computeSegmentPadding(0, 44100), 'INVALID_ARGUMENT');
    expectCode(() => computeSegmentPadding(100, 0), 'INVALID_AUDIO');
    expectCode(() => computeSegmentPadding(100, 44100, { compat: 'madmom' as never }), 'INVALID_ARGUMENT');
    expectCode(() => computeSegmentPadding(100, 44100, { hopLength: 2.5 }), 'INVALID_ARGUMENT');
    expectCode(() => padToSegments(new Float32Array(0), 44100), 'INVALID_AUDIO');
  });
});

describe('logFilteredSpectrogram options', () => {
  const sr = 22050;
  const x = Float32Array.from({ length: 30000 }, (_, i) => 0.5 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 1.3));

  it('madmom preset with padToSegments equals the spectrogram of the zero-padded signal', () => {
    const padded = logFilteredSpectrogram(x, sr, { preset: 'madmom', padToSegments: true });
    expect(padded.frames).toBe(400);
    expect(padded.hopLength).toBe(220.5);
    const long = new Float32Array(400 * 220.5 + 5000);
    long.set(x);
    const reference = logFilteredSpectrogram(long, sr, { preset: 'madmom' });
    expect(Array.from(padded.data)).toEqual(Array.from(reference.data.subarray(0, padded.data.length)));
  });

  it('thesis preset with padToSegments: 400 frames, first frames as unpadded', () => {
    const padded = logFilteredSpectrogram(x, sr, { padToSegments: true });
    const plain = logFilteredSpectrogram(x, sr);
    expect(padded.frames).toBe(400);
    expect(plain.frames).toBe(1 + Math.floor(30000 / 220));
    expect(Array.from(padded.data.subarray(0, 100 * padded.bins))).toEqual(Array.from(plain.data.subarray(0, 100 * plain.bins)));
    const segments = logFilteredSpectrogram(x, sr, { padToSegments: true, segmentFrames: 100 });
    expect(segments.frames).toBe(200);
  });

  it('processor metadata and reuse', () => {
    const p = new LogFilteredSpectrogramProcessor(44100, { preset: 'thesis' });
    const a = p.process(x);
    const b = p.process(x);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(a.bins).toBe(84);
    expect(a.frameRate).toBe(100);
    expect(a.hopLength).toBe(441);
    expect(a.binFrequenciesHz).toHaveLength(84);
    expect(a.scale).toBe('log');
    expect(p.filterbank.numFilters).toBe(84);
  });

  it('filterbank overrides', () => {
    const narrow = logFilteredSpectrogram(x, 44100, { filterbank: { fMinHz: 100, fMaxHz: 8000 } });
    expect(narrow.bins).toBeLessThan(84);
  });

  it('errors', () => {
    expectCode(() => logFilteredSpectrogram(x, 0), 'INVALID_AUDIO');
    expectCode(() => logFilteredSpectrogram(new Float32Array(0), 44100), 'INVALID_AUDIO');
    const bad = x.slice();
    bad[0] = -Infinity;
    expectCode(() => logFilteredSpectrogram(bad, 44100), 'NON_FINITE');
    expectCode(() => logFilteredSpectrogram(x, 44100, { preset: 'librosa' as never }), 'INVALID_ARGUMENT');
    expectCode(() => logFilteredSpectrogram(x, 44100, { padToSegments: 'yes' as never }), 'INVALID_ARGUMENT');
    expectCode(() => logFilteredSpectrogram(x, 44100, { segmentFrames: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => logFilteredSpectrogram(x, 44100, { compat: 'madmom' as never }), 'INVALID_ARGUMENT');
    expectCode(() => new LogFilteredSpectrogramProcessor(44100, { filterbank: 3 as never }), 'INVALID_ARGUMENT');
  });
});
