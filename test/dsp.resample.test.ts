/**
 * Band-limited resampling: pass-band accuracy (< -60 dB error relative to the amplitude,
 * edges excluded), stop-band attenuation (>= 60 dB for tones above the new Nyquist
 * frequency), lengths, and errors.
 */
import { describe, expect, it } from 'vitest';
import { resample } from '../src/dsp/index.js';
import { expectAdtError as expectCode } from './helpers/errors.js';

const AMPLITUDE = 0.8;

function sine(rate: number, frequencyHz: number, seconds: number, phase = 0.3): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = AMPLITUDE * Math.sin((2 * Math.PI * frequencyHz * i) / rate + phase);
  return out;
}

/** Largest |y - expected| over the output, 20 ms from either edge, in dB relative to the amplitude. */
function errorDb(y: Float32Array, rate: number, frequencyHz: number, phase = 0.3): number {
  const edge = Math.ceil(0.02 * rate);
  let max = 0;
  for (let i = edge; i < y.length - edge; i++) {
    max = Math.max(max, Math.abs(y[i] - AMPLITUDE * Math.sin((2 * Math.PI * frequencyHz * i) / rate + phase)));
  }
  return 20 * Math.log10(max / AMPLITUDE);
}

/** Largest |y| 20 ms from either edge, in dB relative to the input amplitude. */
function levelDb(y: Float32Array, rate: number): number {
  const edge = Math.ceil(0.02 * rate);
  let max = 0;
  for (let i = edge; i < y.length - edge; i++) max = Math.max(max, Math.abs(y[i]));
  return 20 * Math.log10(max / AMPLITUDE);
}

const pairs: Array<[number, number]> = [
  [48000, 44100],
  [22050, 44100],
  [8000, 44100],
  [44100, 16000],
  [44100, 22050],
  [96000, 44100],
  [16000, 44100],
  [12345, 44100],
  [44100, 48000],
  [44100, 44101], // 44101 is prime: the interpolated-kernel path
  [48000.5, 44100], // non-integer rates: the interpolated-kernel path
  [22050.25, 44100],
];

describe('resample', () => {
  for (const [fromRate, toRate] of pairs) {
    const lowerNyquist = Math.min(fromRate, toRate) / 2;
    it(`${fromRate} -> ${toRate}: pass-band tones within -60 dB`, () => {
      for (const f of [440, 0.3 * lowerNyquist, 0.8 * lowerNyquist]) {
        const y = resample(sine(fromRate, f, 0.4), { fromRate, toRate });
        expect(y.length).toBe(Math.ceil((Math.round(fromRate * 0.4) * toRate) / fromRate));
        expect(errorDb(y, toRate, f), `${f.toFixed(0)} Hz`).toBeLessThan(-60);
      }
    });
    if (toRate < fromRate) {
      it(`${fromRate} -> ${toRate}: tones above the new Nyquist frequency attenuated by >= 60 dB`, () => {
        const newNyquist = toRate / 2;
        const oldNyquist = fromRate / 2;
        // tones the input can hold (below its Nyquist frequency) that the output cannot
        const tones = [newNyquist * 1.005, newNyquist + 0.5 * (oldNyquist - newNyquist), oldNyquist * 0.98].filter(
          (f) => f > newNyquist && f < oldNyquist * 0.995,
        );
        expect(tones.length).toBeGreaterThan(0);
        for (const f of tones) {
          const y = resample(sine(fromRate, f, 0.4), { fromRate, toRate });
          expect(levelDb(y, toRate), `${f.toFixed(0)} Hz`).toBeLessThanOrEqual(-60);
        }
      });
    }
  }

  it('preserves a constant (unit DC gain) and starts aligned with the input', () => {
    const y = resample(new Float32Array(48000).fill(0.5), { fromRate: 48000, toRate: 44100 });
    for (let i = 2000; i < y.length - 2000; i += 97) expect(y[i]).toBeCloseTo(0.5, 5);
    // a slow ramp: output sample n sits at input time n * from / to
    const ramp = Float32Array.from({ length: 8000 }, (_, i) => Math.sin(i / 500));
    const z = resample(ramp, 8000, 44100);
    for (const n of [5000, 20000, 30000]) expect(z[n]).toBeCloseTo(Math.sin((n * 8000) / 44100 / 500), 4);
  });

  it('positional and object forms agree; options change the filter', () => {
    const x = sine(48000, 1000, 0.1);
    const a = resample(x, { fromRate: 48000, toRate: 44100 });
    const b = resample(x, 48000, 44100);
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = resample(x, 48000, 44100, { stopbandAttenuationDb: 40, passbandEdge: 0.5 });
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('equal rates return a copy; plain arrays are accepted', () => {
    const x = Float32Array.from([1, 2, 3]);
    const y = resample(x, { fromRate: 100, toRate: 100 });
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual([1, 2, 3]);
    expect(resample([0, 1, 0, -1], { fromRate: 4, toRate: 8 }).length).toBe(8);
  });

  it('errors', () => {
    const x = sine(8000, 100, 0.05);
    for (const bad of [0, -8000, NaN, Infinity]) {
      expectCode(() => resample(x, { fromRate: bad, toRate: 44100 }), 'INVALID_AUDIO');
      expectCode(() => resample(x, 8000, bad), 'INVALID_AUDIO');
    }
    expect(() => resample(x, { fromRate: 0, toRate: 44100 })).toThrow(/options\.fromRate/);
    expectCode(() => resample(new Float32Array(0), 8000, 44100), 'INVALID_AUDIO');
    const nan = x.slice();
    nan[7] = NaN;
    expectCode(() => resample(nan, 8000, 44100), 'NON_FINITE');
    expectCode(() => resample(x, { fromRate: 8000, toRate: 44100, passbandEdge: 1 }), 'INVALID_ARGUMENT');
    expectCode(() => resample(x, { fromRate: 8000, toRate: 44100, stopbandAttenuationDb: 5 }), 'INVALID_ARGUMENT');
    expectCode(() => resample(x, null as never), 'INVALID_ARGUMENT');
    expectCode(() => resample(x, 8000, 44100, 'fast' as never), 'INVALID_ARGUMENT');
  });
});
