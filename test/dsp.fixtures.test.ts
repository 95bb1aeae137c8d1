/**
 * dsp.json: the thesis (io/load.py, torch) and madmom spectrogram front ends, for every
 * case (sample rate) listed in the manifest. Tolerances from the fixture README:
 * filterbanks non-zero pattern exact and values atol 1e-7; magnitudes atol 1e-5 * max|X|;
 * log-filtered spectrograms atol 1e-5; filter counts and padding lengths exact.
 */
import { describe, expect, it } from 'vitest';
import { loadArray, maxAbsDiff, readManifest } from './helpers/fixtures.js';
import {
  computeSegmentPadding,
  filterbankToDense,
  logFilteredSpectrogram,
  madmomLogFilterbank,
  magnitudeSpectrogram,
  padToSegments,
  thesisHopLength,
  thesisLogFilterbank,
  type Filterbank,
} from '../src/dsp/index.js';

const manifest = readManifest('dsp.json');
const cases: any[] = manifest.cases;
const paddingRows: any[] = manifest.readAudio_padding.rows;

/** Number of positions where exactly one of the two arrays is non-zero. */
function supportMismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) count++;
  return count;
}

/** Max |a - b| over the listed frames of a [frames, bins] spectrogram vs a [subset, bins] reference. */
function subsetDiff(data: Float32Array, bins: number, frames: number[], reference: Float32Array): { diff: number; maxAbs: number } {
  let diff = 0;
  let maxAbs = 0;
  frames.forEach((frame, row) => {
    for (let k = 0; k < bins; k++) {
      const ref = reference[row * bins + k];
      diff = Math.max(diff, Math.abs(data[frame * bins + k] - ref));
      maxAbs = Math.max(maxAbs, Math.abs(ref));
    }
  });
  return { diff, maxAbs };
}

function firstLastNonzero(fb: Filterbank): number[][] {
  const dense = filterbankToDense(fb);
  const rows: number[][] = [];
  for (let f = 0; f < fb.numFilters; f++) {
    let first = -1;
    let last = -1;
    for (let k = 0; k < fb.numBins; k++) {
      if (dense[f * fb.numBins + k] !== 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    rows.push([first, last]);
  }
  return rows;
}

describe('dsp.json manifest', () => {
  it('lists cases and padding rows', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(paddingRows.length).toBeGreaterThan(0);
  });

  it('filter_counts per rate match both filterbanks', () => {
    const entries = Object.entries(manifest.filter_counts as Record<string, { thesis: number; madmom: number }>);
    expect(entries.length).toBeGreaterThan(0);
    for (const [rate, counts] of entries) {
      expect(thesisLogFilterbank(Number(rate)).numFilters, `thesis @ ${rate}`).toBe(counts.thesis);
      expect(madmomLogFilterbank(Number(rate)).numFilters, `madmom @ ${rate}`).toBe(counts.madmom);
    }
  });
});

for (const c of cases) {
  const sr: number = c.sample_rate;
  describe(`dsp.json case ${sr} Hz`, () => {
    const signal = loadArray(c.signal).data as Float32Array;

    it('signal length', () => {
      expect(signal.length).toBe(c.num_samples);
    });

    it('thesis filterbank: count, support, values (atol 1e-7)', () => {
      const fb = thesisLogFilterbank(sr);
      const ref = loadArray(c.thesis_filterbank);
      expect(fb.numFilters).toBe(c.thesis_num_filters);
      expect([fb.numFilters, fb.numBins]).toEqual(ref.shape);
      const dense = filterbankToDense(fb, { layout: 'filters-bins' });
      expect(supportMismatches(dense, ref.data)).toBe(0);
      expect(firstLastNonzero(fb)).toEqual(c.thesis_filter_support.first_last_nonzero_bin);
      expect(maxAbsDiff(dense, ref.data).max).toBeLessThanOrEqual(1e-7);
      expect(thesisHopLength(sr)).toBe(c.thesis_hop_length);
    });

    it('thesis magnitude |STFT| on the listed frames (atol 1e-5 * max|X|)', () => {
      const spec = magnitudeSpectrogram(signal, sr);
      const ref = loadArray(c.thesis_unpadded.magnitude);
      expect(spec.frames).toBe(c.thesis_unpadded.num_frames);
      expect(spec.bins).toBe(ref.shape[1]);
      expect(spec.hopLength).toBe(c.thesis_hop_length);
      const frames: number[] = c.thesis_unpadded.magnitude_frames;
      expect(frames.length).toBe(ref.shape[0]);
      const { diff, maxAbs } = subsetDiff(spec.data, spec.bins, frames, ref.data as Float32Array);
      expect(diff).toBeLessThanOrEqual(1e-5 * maxAbs);
    });

    it('thesis unpadded log-filtered spectrogram (atol 1e-5)', () => {
      const spec = logFilteredSpectrogram(signal, sr, { preset: 'thesis' });
      const ref = loadArray(c.thesis_unpadded.log_filtered);
      expect([spec.frames, spec.bins]).toEqual(ref.shape);
      expect(maxAbsDiff(spec.data, ref.data).max).toBeLessThanOrEqual(1e-5);
    });

    it('thesis readAudio: padded length and log-filtered output (atol 1e-5), default and compat', () => {
      const ref = loadArray(c.thesis_readAudio.log_filtered);
      for (const compat of [undefined, 'thesis'] as const) {
        const padding = computeSegmentPadding(signal.length, sr, { compat });
        expect(padding.paddedNumSamples).toBe(c.thesis_readAudio.padded_num_samples);
        expect(padToSegments(signal, sr, { compat }).length).toBe(c.thesis_readAudio.padded_num_samples);
        const spec = logFilteredSpectrogram(signal, sr, { padToSegments: true, compat });
        expect(spec.frames).toBe(c.thesis_readAudio.num_frames);
        expect([spec.frames, spec.bins]).toEqual(ref.shape);
        expect(maxAbsDiff(spec.data, ref.data).max).toBeLessThanOrEqual(1e-5);
      }
    });

    it('madmom filterbank: count, support, values (atol 1e-7)', () => {
      const fb = madmomLogFilterbank(sr);
      const ref = loadArray(c.madmom.filterbank);
      expect(fb.numFilters).toBe(c.madmom.num_filters);
      expect(fb.numBins).toBe(c.madmom.num_bins);
      expect([fb.numBins, fb.numFilters]).toEqual(ref.shape);
      const dense = filterbankToDense(fb, { layout: 'bins-filters' });
      expect(supportMismatches(dense, ref.data)).toBe(0);
      expect(maxAbsDiff(dense, ref.data).max).toBeLessThanOrEqual(1e-7);
    });

    it('madmom magnitude on the listed frames (atol 1e-5 * max|X|)', () => {
      expect(c.madmom.origin).toBe(0);
      const spec = magnitudeSpectrogram(signal, sr, {
        nFft: c.madmom.frame_size,
        framing: 'madmom',
        window: 'hann-symmetric',
        includeNyquist: false,
      });
      expect(spec.hopLength).toBe(c.madmom.hop_size);
      expect(spec.frames).toBe(c.madmom.num_frames);
      expect(spec.bins).toBe(c.madmom.num_bins);
      const ref = loadArray(c.madmom.magnitude);
      const frames: number[] = c.madmom.magnitude_frames;
      expect(frames.length).toBe(ref.shape[0]);
      const { diff, maxAbs } = subsetDiff(spec.data, spec.bins, frames, ref.data as Float32Array);
      expect(diff).toBeLessThanOrEqual(1e-5 * maxAbs);
    });

    it('madmom log-filtered spectrogram (atol 1e-5)', () => {
      const spec = logFilteredSpectrogram(signal, sr, { preset: 'madmom' });
      const ref = loadArray(c.madmom.log_filtered);
      expect([spec.frames, spec.bins]).toEqual(ref.shape);
      expect(spec.frameRate).toBeCloseTo(100, 12);
      expect(maxAbsDiff(spec.data, ref.data).max).toBeLessThanOrEqual(1e-5);
    });
  });
}

describe('dsp.json readAudio_padding table', () => {
  for (const row of paddingRows) {
    const label = `${row.sample_rate} Hz, ${row.num_samples} samples`;
    it(`compat 'thesis' reproduces the reference exactly (${label})`, () => {
      const p = computeSegmentPadding(row.num_samples, row.sample_rate, { compat: 'thesis' });
      expect(p.hopLength).toBe(row.hop);
      expect(p.padding).toBe(row.padding);
      expect(p.paddedNumSamples).toBe(row.padded_num_samples);
      expect(p.numFrames).toBe(row.num_frames);
    });

    it(`default never drops audio and gives the same frame count (${label})`, () => {
      const p = computeSegmentPadding(row.num_samples, row.sample_rate);
      expect(p.padding).toBe(Math.max(0, row.padding));
      expect(p.paddedNumSamples).toBe(Math.max(row.num_samples, row.padded_num_samples));
      expect(p.numFrames).toBe(row.num_frames);
    });
  }

  // The reference computed these rows on all-zero signals: the spectrograms are all zeros.
  const rates = [...new Set(paddingRows.map((r) => r.sample_rate as number))];
  for (const rate of rates) {
    it(`all-zero signals give num_frames x num_filters zeros (${rate} Hz)`, () => {
      for (const row of paddingRows.filter((r) => r.sample_rate === rate)) {
        for (const compat of [undefined, 'thesis'] as const) {
          const spec = logFilteredSpectrogram(new Float32Array(row.num_samples), rate, { padToSegments: true, compat });
          expect([spec.frames, spec.bins]).toEqual([row.num_frames, row.num_filters]);
          expect(spec.data.every((v) => v === 0)).toBe(true);
        }
      }
    });
  }
});
