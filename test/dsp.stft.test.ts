/**
 * STFT, windows and framing against a direct DFT written independently here (explicit
 * padding, O(N^2) transform), plus the error paths of the entry points.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  StftPlan,
  frameSignal,
  getStftPlan,
  hannWindow,
  magnitudeSpectrogram,
  powerSpectrogram,
  resolveStftOptions,
  toMono,
  type StftOptions,
} from '../src/dsp/index.js';
import { expectAdtError as expectCode } from './helpers/errors.js';

/** Seeded uniform noise in [-1, 1). */
function noise(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface RefOptions {
  nFft: number;
  windowLength: number;
  hop: number;
  window: ArrayLike<number>;
  framing: 'center' | 'start' | 'madmom';
  padMode: 'reflect' | 'constant';
  includeNyquist: boolean;
  power: 1 | 2;
}

/** Reference STFT: builds each frame explicitly, then a direct DFT in double precision. */
function referenceStft(x: Float32Array, o: RefOptions): number[][] {
  const n = x.length;
  const get = (i: number): number => {
    if (i >= 0 && i < n) return x[i];
    if (o.framing === 'madmom' || o.padMode === 'constant') return 0;
    // numpy 'reflect' (valid here because the tests keep the pad shorter than the signal)
    return i < 0 ? x[-i] : x[2 * (n - 1) - i];
  };
  const frames: number[][] = [];
  let count: number;
  if (o.framing === 'center') count = 1 + Math.floor(n / o.hop);
  else if (o.framing === 'start') count = 1 + Math.floor((n - o.nFft) / o.hop);
  else count = Math.ceil(n / o.hop);
  const bins = o.includeNyquist ? o.nFft / 2 + 1 : o.nFft / 2;
  for (let t = 0; t < count; t++) {
    const buffer = new Float64Array(o.nFft);
    if (o.framing === 'madmom') {
      const start = Math.floor(t * o.hop) - Math.floor(o.windowLength / 2);
      for (let j = 0; j < o.windowLength; j++) buffer[j] = get(start + j) * o.window[j];
    } else {
      const padded0 = o.framing === 'center' ? t * o.hop - o.nFft / 2 : t * o.hop;
      const left = Math.floor((o.nFft - o.windowLength) / 2);
      for (let j = 0; j < o.windowLength; j++) buffer[left + j] = get(padded0 + left + j) * o.window[j];
    }
    const row: number[] = [];
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < o.nFft; j++) {
        const angle = (-2 * Math.PI * k * j) / o.nFft;
        re += buffer[j] * Math.cos(angle);
        im += buffer[j] * Math.sin(angle);
      }
      const p = re * re + im * im;
      row.push(o.power === 2 ? p : Math.sqrt(p));
    }
    frames.push(row);
  }
  return frames;
}

function compare(x: Float32Array, options: StftOptions & { hopLength: number }, power: 1 | 2, windowValues: ArrayLike<number>): void {
  const nFft = options.nFft ?? 2048;
  const spec = (power === 1 ? magnitudeSpectrogram : powerSpectrogram)(x, 1000, options);
  const ref = referenceStft(x, {
    nFft,
    windowLength: options.windowLength ?? nFft,
    hop: options.hopLength,
    window: windowValues,
    framing: options.framing ?? 'center',
    padMode: options.padMode ?? 'reflect',
    includeNyquist: options.includeNyquist ?? true,
    power,
  });
  expect(spec.frames).toBe(ref.length);
  expect(spec.bins).toBe(ref[0].length);
  let max = 0;
  let diff = 0;
  ref.forEach((row, t) =>
    row.forEach((v, k) => {
      max = Math.max(max, Math.abs(v));
      diff = Math.max(diff, Math.abs(spec.data[t * spec.bins + k] - v));
    }),
  );
  expect(max).toBeGreaterThan(0);
  expect(diff).toBeLessThanOrEqual(2e-6 * max);
}

describe('hannWindow', () => {
  it('periodic and symmetric values', () => {
    const periodic = hannWindow(4);
    [0, 0.5, 1, 0.5].forEach((v, i) => expect(periodic[i]).toBeCloseTo(v, 15));
    const symmetric = hannWindow(5, { periodic: false });
    [0, 0.5, 1, 0.5, 0].forEach((v, i) => expect(symmetric[i]).toBeCloseTo(v, 15));
    expect(Array.from(hannWindow(1, { periodic: false }))).toEqual([1]);
  });
  it('rejects a bad length', () => {
    expectCode(() => hannWindow(0), 'INVALID_ARGUMENT');
    expectCode(() => hannWindow(2.5), 'INVALID_ARGUMENT');
  });
});

describe('STFT against a direct DFT', () => {
  const nFft = 64;
  const cases: Array<{ name: string; options: StftOptions & { hopLength: number }; window: () => ArrayLike<number> }> = [
    { name: 'center reflect, periodic Hann', options: { nFft, hopLength: 16 }, window: () => hannWindow(64) },
    { name: 'center constant', options: { nFft, hopLength: 16, padMode: 'constant' }, window: () => hannWindow(64) },
    { name: 'center, window shorter than nFft', options: { nFft, hopLength: 10, windowLength: 40 }, window: () => hannWindow(40) },
    { name: 'start framing', options: { nFft, hopLength: 12, framing: 'start' }, window: () => hannWindow(64) },
    { name: 'start, short window', options: { nFft, hopLength: 12, framing: 'start', windowLength: 50 }, window: () => hannWindow(50) },
    {
      name: 'madmom framing, fractional hop, symmetric Hann, no Nyquist',
      options: { nFft, hopLength: 10.5, framing: 'madmom', window: 'hann-symmetric', includeNyquist: false },
      window: () => hannWindow(64, { periodic: false }),
    },
    {
      name: 'madmom framing, window shorter than nFft (zero-padded at the end)',
      options: { nFft, hopLength: 7.25, framing: 'madmom', windowLength: 33 },
      window: () => hannWindow(33),
    },
    {
      name: 'custom window, no Nyquist',
      options: { nFft, hopLength: 8, window: Float64Array.from(noise(64, 9)), includeNyquist: false },
      window: () => Float64Array.from(noise(64, 9)),
    },
  ];
  for (const c of cases) {
    for (const length of [300, 316, 317]) {
      for (const power of [1, 2] as const) {
        it(`${c.name}, ${length} samples, power ${power}`, () => {
          compare(noise(length, length + power), c.options, power, c.window());
        });
      }
    }
  }

  it('a 2048-point frame of a sine peaks at its bin with the expected magnitude', () => {
    const sr = 44100;
    const k0 = 100; // exactly on bin 100
    const x = new Float32Array(sr);
    for (let i = 0; i < x.length; i++) x[i] = Math.cos((2 * Math.PI * k0 * i) / 2048);
    const spec = magnitudeSpectrogram(x, sr);
    const row = spec.data.subarray(50 * spec.bins, 51 * spec.bins);
    let arg = 0;
    for (let k = 1; k < row.length; k++) if (row[k] > row[arg]) arg = k;
    expect(arg).toBe(k0);
    // periodic Hann: |X[k0]| = N / 4 for a unit cosine
    expect(row[k0]).toBeCloseTo(2048 / 4, 2);
    expect(spec.binFrequenciesHz?.[k0]).toBeCloseTo((k0 * sr) / 2048, 9);
    expect(spec.frameRate).toBeCloseTo(sr / 441, 12);
  });

  it('property: random lengths and hops match the DFT (center reflect)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 17, max: 200 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 1000 }), (length, hop, seed) => {
        const x = noise(length, seed);
        compare(x, { nFft: 32, hopLength: hop }, 1, hannWindow(32));
      }),
      { numRuns: 40 },
    );
  });
});

describe('STFT plans', () => {
  it('getStftPlan caches by configuration', () => {
    const a = getStftPlan(resolveStftOptions(44100));
    const b = getStftPlan(resolveStftOptions(44100, {}));
    const c = getStftPlan(resolveStftOptions(48000));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toBeInstanceOf(StftPlan);
    expect(a.numBins).toBe(1025);
    expect(a.numFrames(132300)).toBe(301);
  });

  it('repeated calls give identical results (buffers are reused, not leaked)', () => {
    const x = noise(5000, 3);
    const first = magnitudeSpectrogram(x, 8000, { nFft: 256, hopLength: 80 });
    magnitudeSpectrogram(noise(7000, 4), 8000, { nFft: 256, hopLength: 80 });
    const again = magnitudeSpectrogram(x, 8000, { nFft: 256, hopLength: 80 });
    expect(Array.from(again.data)).toEqual(Array.from(first.data));
  });

  it('reflect padding longer than the signal repeats the reflection (numpy semantics)', () => {
    const { data, frames } = frameSignal([1, 2, 3], { frameLength: 10, hopLength: 1 });
    expect(frames).toBe(4);
    // ... 2 1 2 3 2 1 2 3 2 1 2 ... with x = [1, 2, 3] at indices 0..2
    expect(Array.from(data.subarray(0, 10))).toEqual([2, 1, 2, 3, 2, 1, 2, 3, 2, 1]);
    const one = frameSignal([5], { frameLength: 4, hopLength: 1 });
    expect(Array.from(one.data)).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
  });
});

describe('frameSignal', () => {
  const x = Float32Array.from({ length: 10 }, (_, i) => i + 1);
  it('start framing: only complete frames', () => {
    const r = frameSignal(x, { frameLength: 4, hopLength: 3, framing: 'start' });
    expect(r.frames).toBe(3);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10]);
  });
  it('center framing with constant padding', () => {
    const r = frameSignal(x, { frameLength: 4, hopLength: 4, framing: 'center', padMode: 'constant' });
    expect(r.frames).toBe(3);
    expect(Array.from(r.data)).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
  it('madmom framing: centred on floor(i * hop), zeros outside, ceil(N / hop) frames', () => {
    const r = frameSignal(x, { frameLength: 4, hopLength: 2.5, framing: 'madmom' });
    expect(r.frames).toBe(4);
    // anchors 0, 2, 5, 7 -> starts -2, 0, 3, 5
    expect(Array.from(r.data)).toEqual([0, 0, 1, 2, 1, 2, 3, 4, 4, 5, 6, 7, 6, 7, 8, 9]);
  });
  it('errors', () => {
    expectCode(() => frameSignal(x, { frameLength: 20, framing: 'start', hopLength: 1 }), 'INVALID_SHAPE');
    expectCode(() => frameSignal(x, { hopLength: 2.5 }), 'INVALID_ARGUMENT');
    expectCode(() => frameSignal(x, { framing: 'middle' as never }), 'INVALID_ARGUMENT');
    expectCode(() => frameSignal(new Float32Array(0)), 'INVALID_AUDIO');
  });
});

describe('toMono', () => {
  it('averages channels', () => {
    const m = toMono([Float32Array.from([1, 2, 3]), Float32Array.from([3, 2, -3])]);
    expect(Array.from(m)).toEqual([2, 2, 0]);
    const three = toMono([Float32Array.from([1]), Float32Array.from([2]), Float32Array.from([6])]);
    expect(Array.from(three)).toEqual([3]);
  });
  it('returns a copy for one channel', () => {
    const a = Float32Array.from([1, 2]);
    const m = toMono([a]);
    expect(m).not.toBe(a);
    expect(Array.from(m)).toEqual([1, 2]);
  });
  it('errors', () => {
    expectCode(() => toMono([]), 'INVALID_ARGUMENT');
    expectCode(() => toMono([new Float32Array(3), new Float32Array(4)]), 'INVALID_SHAPE');
    expectCode(() => toMono([Float32Array.from([1, NaN])]), 'NON_FINITE');
    expectCode(() => toMono([[1, 2] as unknown as Float32Array]), 'INVALID_ARGUMENT');
  });
});

describe('STFT errors', () => {
  const x = noise(4096, 1);
  it('bad sample rates are INVALID_AUDIO', () => {
    for (const sr of [0, -44100, NaN, Infinity]) expectCode(() => magnitudeSpectrogram(x, sr), 'INVALID_AUDIO');
  });
  it('empty signal is INVALID_AUDIO', () => {
    expectCode(() => magnitudeSpectrogram(new Float32Array(0), 44100), 'INVALID_AUDIO');
    expectCode(() => magnitudeSpectrogram([], 44100), 'INVALID_AUDIO');
  });
  it('NaN or infinite samples are NON_FINITE, naming the index', () => {
    const bad = x.slice();
    bad[123] = NaN;
    expectCode(() => magnitudeSpectrogram(bad, 44100), 'NON_FINITE');
    expect(() => magnitudeSpectrogram(bad, 44100)).toThrow(/signal\[123\]/);
    bad[123] = Infinity;
    expectCode(() => powerSpectrogram(bad, 44100), 'NON_FINITE');
  });
  it('bad options are INVALID_ARGUMENT or INVALID_SHAPE', () => {
    expectCode(() => magnitudeSpectrogram(x, 44100, { nFft: 1000 }), 'INVALID_ARGUMENT');
    expect(() => magnitudeSpectrogram(x, 44100, { nFft: 1000 })).toThrow(/power of two.*512, 1024/);
    expectCode(() => magnitudeSpectrogram(x, 44100, { nFft: 1 }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { windowLength: 4096 }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { hopLength: 220.5 }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { hopLength: 0 }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { hopLength: -3, framing: 'madmom' }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { window: 'hamming' as never }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { window: new Float32Array(10) }), 'INVALID_SHAPE');
    expectCode(() => magnitudeSpectrogram(x, 44100, { padMode: 'edge' as never }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, { includeNyquist: 1 as never }), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram(x, 44100, 'fast' as never), 'INVALID_ARGUMENT');
    expectCode(() => magnitudeSpectrogram({ channels: [x] } as never, 44100), 'INVALID_ARGUMENT');
  });
  it("'start' framing with a signal shorter than nFft is INVALID_SHAPE", () => {
    expectCode(() => magnitudeSpectrogram(noise(100, 2), 44100, { framing: 'start' }), 'INVALID_SHAPE');
  });
});
