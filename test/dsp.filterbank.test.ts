/**
 * Filterbanks beyond the fixtures: the sparse representation against a dense product, the
 * log filterbanks' documented quirks at other rates, mel filterbanks (librosa conventions:
 * peaks at the mel centres, partition of unity, Slaney unit area), log compression.
 */
import { describe, expect, it } from 'vitest';
import {
  applyFilterbank,
  filterbankToDense,
  hzToMel,
  logCompress,
  madmomLogFilterbank,
  melFilterbank,
  melToHz,
  thesisLogFilterbank,
  type Filterbank,
  type Spectrogram,
} from '../src/dsp/index.js';
import { expectAdtError as expectCode } from './helpers/errors.js';

function randomSpectrogram(frames: number, bins: number, seed: number): Spectrogram {
  let s = seed;
  const data = new Float32Array(frames * bins);
  for (let i = 0; i < data.length; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = (s / 2147483647) * 10;
  }
  return { data, frames, bins, sampleRate: 44100, hopLength: 441, frameRate: 100 };
}

function filterSums(fb: Filterbank): number[] {
  const dense = filterbankToDense(fb);
  return Array.from({ length: fb.numFilters }, (_, f) => dense.subarray(f * fb.numBins, (f + 1) * fb.numBins).reduce((a, b) => a + b, 0));
}

describe('sparse filterbank', () => {
  for (const [name, fb] of [
    ['thesis 44.1 kHz', thesisLogFilterbank(44100)],
    ['madmom 48 kHz', madmomLogFilterbank(48000)],
    ['mel 22.05 kHz', melFilterbank(22050, { numMels: 40 })],
  ] as const) {
    it(`applyFilterbank equals the dense product (${name})`, () => {
      const spec = randomSpectrogram(7, fb.numBins, 12345);
      const out = applyFilterbank(spec, fb);
      const dense = filterbankToDense(fb, { layout: 'bins-filters' });
      expect([out.frames, out.bins]).toEqual([7, fb.numFilters]);
      expect(out.binFrequenciesHz).toBe(fb.centerFrequenciesHz);
      let diff = 0;
      for (let t = 0; t < 7; t++) {
        for (let f = 0; f < fb.numFilters; f++) {
          let sum = 0;
          for (let k = 0; k < fb.numBins; k++) sum += spec.data[t * fb.numBins + k] * dense[k * fb.numFilters + f];
          diff = Math.max(diff, Math.abs(out.data[t * fb.numFilters + f] - sum) / Math.max(1, Math.abs(sum)));
        }
      }
      expect(diff).toBeLessThan(1e-6);
    });
  }

  it('stores only the support: far fewer weights than a dense matrix', () => {
    const fb = thesisLogFilterbank(44100);
    expect(fb.weights.length).toBeLessThan(0.05 * fb.numBins * fb.numFilters);
    expect(fb.offsets.length).toBe(fb.numFilters + 1);
  });

  it('rejects a spectrogram with the wrong number of bins, with a hint about the Nyquist bin', () => {
    const fb = madmomLogFilterbank(44100);
    expectCode(() => applyFilterbank(randomSpectrogram(2, 1025, 1), fb), 'INVALID_SHAPE');
    expect(() => applyFilterbank(randomSpectrogram(2, 1025, 1), fb)).toThrow(/includeNyquist: false/);
    expectCode(() => applyFilterbank({ ...randomSpectrogram(2, 1024, 1), frames: 3 }, fb), 'INVALID_SHAPE');
  });

  it('filterbankToDense rejects an unknown layout', () => {
    expectCode(() => filterbankToDense(thesisLogFilterbank(44100), { layout: 'columns' as never }), 'INVALID_ARGUMENT');
  });
});

describe('log filterbanks at other rates', () => {
  for (const sr of [8000, 16000, 32000, 96000]) {
    it(`thesis and madmom at ${sr} Hz: normalised, non-negative, increasing centres`, () => {
      for (const fb of [thesisLogFilterbank(sr), madmomLogFilterbank(sr)]) {
        expect(fb.numFilters).toBeGreaterThan(10);
        for (const sum of filterSums(fb)) expect(sum).toBeCloseTo(1, 6);
        expect(fb.weights.every((w) => w >= 0)).toBe(true);
        for (let f = 1; f < fb.numFilters; f++) expect(fb.centerFrequenciesHz[f]).toBeGreaterThan(fb.centerFrequenciesHz[f - 1]);
        expect(fb.centerFrequenciesHz[fb.numFilters - 1]).toBeLessThanOrEqual(Math.min(20000, sr / 2));
      }
    });
  }

  it('thesis triangles have two samples equal to 1 (endpoint-included linspace); madmom has one', () => {
    const thesis = thesisLogFilterbank(44100, { normalize: false });
    const madmom = madmomLogFilterbank(44100, { normalize: false });
    const ones = (fb: Filterbank, f: number) => {
      let n = 0;
      for (let w = fb.offsets[f]; w < fb.offsets[f + 1]; w++) if (fb.weights[w] === 1) n++;
      return n;
    };
    const last = thesis.numFilters - 1; // a wide filter
    expect(ones(thesis, last)).toBe(2);
    expect(ones(madmom, madmom.numFilters - 1)).toBe(1);
  });

  it('thesis centres use the literal 440 whatever fRefHz says (reference quirk); madmom follows fRefHz', () => {
    const a = thesisLogFilterbank(44100, { fRefHz: 440 });
    const b = thesisLogFilterbank(44100, { fRefHz: 432 });
    // 432 only moves the range of k, so the filters coincide where both exist
    const common = Math.min(a.numFilters, b.numFilters);
    expect(common).toBeGreaterThan(70);
    const shared = Array.from(a.centerFrequenciesHz).filter((f) => b.centerFrequenciesHz.includes(f));
    expect(shared.length).toBeGreaterThanOrEqual(common - 2);
    const m440 = madmomLogFilterbank(44100, { fRefHz: 440 });
    const m415 = madmomLogFilterbank(44100, { fRefHz: 415 });
    expect(Array.from(m415.centerFrequenciesHz)).not.toEqual(Array.from(m440.centerFrequenciesHz));
  });

  it('errors', () => {
    expectCode(() => thesisLogFilterbank(0), 'INVALID_AUDIO');
    expectCode(() => madmomLogFilterbank(NaN), 'INVALID_AUDIO');
    expectCode(() => thesisLogFilterbank(44100, { nFft: 1000 }), 'INVALID_ARGUMENT');
    expectCode(() => thesisLogFilterbank(44100, { fMinHz: 500, fMaxHz: 400 }), 'INVALID_ARGUMENT');
    expectCode(() => madmomLogFilterbank(44100, { fMinHz: -1 }), 'INVALID_ARGUMENT');
    expectCode(() => madmomLogFilterbank(44100, { bandsPerOctave: 0 }), 'INVALID_ARGUMENT');
    // a range so narrow that fewer than three distinct bins remain
    expectCode(() => thesisLogFilterbank(44100, { fMinHz: 1000, fMaxHz: 1010 }), 'INVALID_ARGUMENT');
    expect(() => madmomLogFilterbank(44100, { fMinHz: 1000, fMaxHz: 1010 })).toThrow(/at least 3/);
  });
});

describe('mel scale', () => {
  it('known values (Slaney: linear below 1 kHz, 15 mel at 1 kHz; HTK: 2595 log10(1 + f/700))', () => {
    expect(hzToMel(440)).toBeCloseTo(6.6, 12);
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(2000)).toBeCloseTo(15 + Math.log(2) / (Math.log(6.4) / 27), 12);
    expect(hzToMel(440, 'htk')).toBeCloseTo(2595 * Math.log10(1 + 440 / 700), 10);
    expect(hzToMel(700, 'htk')).toBeCloseTo(2595 * Math.log10(2), 10);
  });
  it('melToHz inverts hzToMel', () => {
    for (const scale of ['slaney', 'htk'] as const) {
      for (const f of [0, 10, 440, 999.9, 1000, 1000.1, 5000, 22050]) expect(melToHz(hzToMel(f, scale), scale)).toBeCloseTo(f, 8);
    }
  });
});

describe('mel filterbank', () => {
  const sr = 22050;
  const nFft = 2048;
  const binHz = sr / nFft;

  for (const scale of ['slaney', 'htk'] as const) {
    it(`peaks lie at the mel centres (${scale})`, () => {
      const numMels = 64;
      const fb = melFilterbank(sr, { nFft, numMels, scale, norm: 'none' });
      expect(fb.numBins).toBe(nFft / 2 + 1);
      const dense = filterbankToDense(fb);
      const melMax = hzToMel(sr / 2, scale);
      for (let m = 0; m < numMels; m++) {
        const centre = melToHz(((m + 1) * melMax) / (numMels + 1), scale);
        expect(fb.centerFrequenciesHz[m]).toBeCloseTo(centre, 6);
        let arg = 0;
        const row = dense.subarray(m * fb.numBins, (m + 1) * fb.numBins);
        for (let k = 1; k < row.length; k++) if (row[k] > row[arg]) arg = k;
        expect(Math.abs(arg * binHz - centre)).toBeLessThanOrEqual(binHz);
        expect(row[arg]).toBeLessThanOrEqual(1);
      }
    });

    it(`unnormalised triangles sum to 1 between the first and last centre (${scale})`, () => {
      const fb = melFilterbank(sr, { nFft, numMels: 40, scale, norm: 'none', fMinHz: 50, fMaxHz: 8000 });
      const dense = filterbankToDense(fb, { layout: 'bins-filters' });
      const first = fb.centerFrequenciesHz[0];
      const last = fb.centerFrequenciesHz[fb.numFilters - 1];
      let checked = 0;
      for (let k = 0; k < fb.numBins; k++) {
        const f = k * binHz;
        const sum = dense.subarray(k * fb.numFilters, (k + 1) * fb.numFilters).reduce((a, b) => a + b, 0);
        if (f >= first && f <= last) {
          expect(sum).toBeCloseTo(1, 5);
          checked++;
        }
        if (f < 50 || f > 8000) expect(sum).toBe(0);
      }
      expect(checked).toBeGreaterThan(300);
    });

    it(`Slaney normalisation gives each triangle unit area in Hz (${scale})`, () => {
      const fb = melFilterbank(sr, { nFft, numMels: 32, scale, norm: 'slaney' });
      const sums = filterSums(fb);
      fb.centerFrequenciesHz.forEach((_, m) => {
        const width = fb.offsets[m + 1] - fb.offsets[m];
        if (width >= 8) expect(Math.abs(sums[m] * binHz - 1)).toBeLessThan(0.02);
      });
      // the Slaney weights are the peak-1 weights times 2 / (upper - lower) [1/Hz]
      const unnorm = melFilterbank(sr, { nFft, numMels: 32, scale, norm: 'none' });
      const edges = [0, ...Array.from(fb.centerFrequenciesHz), sr / 2];
      for (const m of [0, 10, 31]) {
        const scaleFactor = 2 / (edges[m + 2] - edges[m]);
        for (let w = fb.offsets[m]; w < fb.offsets[m + 1]; w++) {
          expect(fb.weights[w]).toBeCloseTo(Math.fround(unnorm.weights[w] * scaleFactor), 6);
        }
      }
    });
  }

  it('defaults follow librosa: 128 Slaney bands, Slaney norm, 0 Hz to Nyquist', () => {
    const fb = melFilterbank(sr);
    expect(fb.numFilters).toBe(128);
    expect(fb.nFft).toBe(2048);
    expect(fb.centerFrequenciesHz[127]).toBeLessThan(sr / 2);
    expect(filterbankToDense(fb).some((v) => v > 1)).toBe(false);
  });

  it('errors', () => {
    expectCode(() => melFilterbank(-1), 'INVALID_AUDIO');
    expectCode(() => melFilterbank(sr, { numMels: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => melFilterbank(sr, { fMinHz: 5000, fMaxHz: 100 }), 'INVALID_ARGUMENT');
    expectCode(() => melFilterbank(sr, { scale: 'bark' as never }), 'INVALID_ARGUMENT');
    expectCode(() => melFilterbank(sr, { norm: 'area' as never }), 'INVALID_ARGUMENT');
    expectCode(() => melFilterbank(sr, { nFft: 300 }), 'INVALID_ARGUMENT');
  });
});

describe('logCompress', () => {
  it('log10(mul * x + add)', () => {
    const spec: Spectrogram = { data: Float32Array.from([0, 9, 99]), frames: 1, bins: 3, sampleRate: 100, hopLength: 1, frameRate: 100 };
    expect(Array.from(logCompress(spec).data)).toEqual([0, 1, 2]);
    const out = logCompress(spec, { mul: 10, add: 10 });
    expect(out.data[1]).toBeCloseTo(2, 6);
    expect(out.scale).toBe('log');
    expect(spec.data[1]).toBe(9); // input untouched
  });
  it('errors', () => {
    const spec: Spectrogram = { data: Float32Array.from([-2]), frames: 1, bins: 1, sampleRate: 100, hopLength: 1, frameRate: 100 };
    expectCode(() => logCompress(spec), 'INVALID_ARGUMENT');
    expectCode(() => logCompress({ ...spec, data: new Float32Array(1) }, { add: 0 }), 'INVALID_ARGUMENT');
  });
});
