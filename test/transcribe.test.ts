/**
 * transcribe(): shapes and fields, resampling and down-mix, short audio, overlapping windows
 * (a known-function model against the model run on the whole input), thresholds, options
 * and error paths, tensor leaks. cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { logFilteredSpectrogram, resample } from '../src/dsp/index.js';
import { AdtError, AudioError, InvalidArgumentError, NonFiniteError } from '../src/errors.js';
import { peakPick } from '../src/eval/index.js';
import { transcribe, type ModelBundle } from '../src/transcribe/index.js';
import { clicks, drumLike, energyBundle, HOP, SR, tinyCrnnBundle } from './helpers/transcribeModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function expectError(promise: Promise<unknown>, ctor: new (...a: any[]) => AdtError, code: string, pattern: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ctor);
  expect((caught as AdtError).code).toBe(code);
  expect((caught as Error).message).toMatch(pattern);
}

/** Activations of the model run on the whole (standardized) spectrogram at once, no windows. */
function wholeInputActivations(bundle: ModelBundle, signal: Float32Array): Float32Array {
  const spec = logFilteredSpectrogram(signal, SR, { preset: bundle.card.preset });
  return tf.tidy(() => {
    const x = tf.tensor4d(spec.data, [1, spec.frames, spec.bins, 1]); // mean 0, std 1: already standardized
    return tf.sigmoid(bundle.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

describe('transcribe with a tiny random CRNN', () => {
  let bundle: ModelBundle;
  beforeAll(() => {
    bundle = tinyCrnnBundle({ peakPicking: { threshold: 0.05 } });
  });

  it('returns frame-major activations, well-formed events and timings, and disposes every tensor', async () => {
    const samples = drumLike(2.5, 3);
    const progress: number[] = [];
    await transcribe({ samples: samples.subarray(0, 4410), sampleRate: SR }, { model: bundle }); // warm-up (kernels, caches)
    const before = tf.memory().numTensors;
    const r = await transcribe({ samples, sampleRate: SR }, { model: bundle, segmentFrames: 120, contextFrames: 10, batchSize: 2, onProgress: (p) => { progress.push(p.fraction); } });
    expect(tf.memory().numTensors).toBe(before);
    const frames = 1 + Math.floor(samples.length / HOP);
    expect(r.activations.frames).toBe(frames);
    expect(r.activations.classes).toBe(5);
    expect(r.activations.data).toBeInstanceOf(Float32Array);
    expect(r.activations.data.length).toBe(frames * 5);
    expect(r.activations.frameRate).toBe(100);
    expect(r.activations.classNames).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
    for (const v of r.activations.data) expect(v >= 0 && v <= 1).toBe(true);
    expect(r.durationSeconds).toBeCloseTo(2.5, 10);
    expect(r.sampleRate).toBe(SR);
    expect(r.thresholds).toEqual([0.05, 0.05, 0.05, 0.05, 0.05]);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(r.timings.totalSeconds).toBeGreaterThan(0);
    expect(r.events.length).toBeGreaterThan(0);
    let last = -1;
    for (const e of r.events) {
      expect(Object.keys(e).sort()).toEqual(['classIndex', 'className', 'timeSeconds', 'velocity']);
      expect(e.timeSeconds).toBeGreaterThanOrEqual(last);
      last = e.timeSeconds;
      const frame = Math.round(e.timeSeconds * 100);
      expect(e.timeSeconds).toBe(frame / 100);
      expect(e.className).toBe(r.activations.classNames[e.classIndex]);
      expect(e.velocity).toBe(r.activations.data[frame * 5 + e.classIndex]);
      expect(e.velocity).toBeGreaterThan(0.05);
    }
  });

  it('works on audio shorter than one window, and on a single sample', async () => {
    for (const n of [1, 100, 3000]) {
      const r = await transcribe({ samples: drumLike(n / SR, 5).subarray(0, n), sampleRate: SR }, { model: bundle, segmentFrames: 100, contextFrames: 10 });
      expect(r.activations.frames).toBe(1 + Math.floor(n / HOP));
      expect(r.activations.data.length).toBe(r.activations.frames * 5);
    }
  });
});

describe('transcribe with a known-function model', () => {
  let bundle: ModelBundle;
  beforeAll(() => {
    bundle = energyBundle();
  });

  it('finds onsets placed exactly at window boundaries, at the exact frames', async () => {
    // L = 400, C = 50, H = 300: windows start at 0, 300, 600, 900; centre parts change at 350, 650, 950.
    const onsets = [40, 300, 350, 400, 600, 650, 700, 900, 950, 1000, 1230];
    const r = await transcribe({ samples: clicks(onsets, 12.5), sampleRate: SR }, { model: bundle });
    expect(r.events.filter((e) => e.classIndex === 0).map((e) => Math.round(e.timeSeconds * 100))).toEqual(onsets);
    expect(r.events.every((e) => e.classIndex === 0 && e.className === 'KD')).toBe(true);
    expect(r.events.map((e) => e.timeSeconds)).toEqual(onsets.map((f) => f / 100));
  });

  it('names the classes with options.classNames (your vocabulary) and rejects bad names', async () => {
    const names = ['kick', 'snare', 'tom', 'hihat', 'cymbal'];
    const signal = clicks([40, 120, 300], 4);
    const plain = await transcribe({ samples: signal, sampleRate: SR }, { model: bundle });
    const renamed = await transcribe({ samples: signal, sampleRate: SR }, { model: bundle, classNames: names });
    expect(renamed.events.length).toBeGreaterThan(0);
    expect(renamed.events.map((e) => ({ ...e, className: undefined }))).toEqual(plain.events.map((e) => ({ ...e, className: undefined })));
    expect(renamed.events.every((e) => e.className === names[e.classIndex])).toBe(true);
    expect(renamed.activations.classNames).toEqual(names);
    for (const bad of [['kick'], [...names.slice(0, 4), 'kick'], [...names.slice(0, 4), '']]) {
      await expect(transcribe({ samples: signal, sampleRate: SR }, { model: bundle, classNames: bad })).rejects.toThrow(/options\.classNames/);
    }
  });

  it('stitches windows so that activations equal the model run on the whole input', async () => {
    const signal = drumLike(9.7, 7);
    const whole = wholeInputActivations(bundle, signal);
    for (const [segmentFrames, contextFrames, batchSize] of [[400, 50, 4], [100, 2, 3], [64, 20, 1]]) {
      const r = await transcribe({ samples: signal, sampleRate: SR }, { model: bundle, segmentFrames, contextFrames, batchSize });
      expect(r.activations.data.length).toBe(whole.length);
      let worst = 0;
      for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(r.activations.data[i] - whole[i]));
      expect(worst, `L=${segmentFrames} C=${contextFrames}`).toBeLessThan(1e-5);
    }
    // Without context the window edges lose their neighbours: the comparison above can fail.
    const naive = await transcribe({ samples: signal, sampleRate: SR }, { model: bundle, segmentFrames: 100, contextFrames: 0 });
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(naive.activations.data[i] - whole[i]));
    expect(worst).toBeGreaterThan(1e-3);
  });

  it('picks peaks like peakPick on the activations, with per-class thresholds from the card or the options', async () => {
    const signal = drumLike(4, 11);
    const r = await transcribe({ samples: signal, sampleRate: SR }, { model: bundle });
    const curve = Float32Array.from({ length: r.activations.frames }, (_, n) => r.activations.data[n * 5]);
    const expected = peakPick(curve, { threshold: 0.5 }).peakFrames[0];
    expect(expected.length).toBeGreaterThan(3);
    expect(r.events.map((e) => Math.round(e.timeSeconds * 100))).toEqual(Array.from(expected));
    const heights = Array.from(expected, (f) => curve[f]).sort((a, b) => a - b);
    const middle = heights[Math.floor(heights.length / 2)];
    // Card thresholds per class, overridden by name in the options.
    const strict = energyBundle({ peakPicking: { threshold: 0.5, classThresholds: [middle, 0.5, 0.5, 0.5, 0.5] } });
    const fromCard = await transcribe({ samples: signal, sampleRate: SR }, { model: strict });
    expect(fromCard.thresholds[0]).toBe(middle);
    expect(fromCard.events.length).toBe(heights.filter((h) => h > middle).length);
    const overridden = await transcribe({ samples: signal, sampleRate: SR }, { model: strict, thresholds: { KD: 0.5 } });
    expect(overridden.events.length).toBe(expected.length);
    const global = await transcribe({ samples: signal, sampleRate: SR }, { model: strict, thresholds: 0.99999 });
    expect(global.events.length).toBe(heights.filter((h) => h > 0.99999).length);
    const minDistance = await transcribe({ samples: signal, sampleRate: SR }, { model: bundle, peakPicking: { minDistanceFrames: 30 } });
    expect(minDistance.events.length).toBeLessThan(expected.length);
  });

  it("peakPicking.compat 'thesis' picks every class as peakPick with compat 'thesis' does (and differs from the default somewhere)", async () => {
    const signal = drumLike(6, 5);
    const options = { model: bundle, thresholds: 0.3, peakPicking: { compat: 'thesis' as const } };
    const thesis = await transcribe({ samples: signal, sampleRate: SR }, options);
    const { data, frames, classes } = thesis.activations;
    const fromPeakPick: string[] = [];
    for (let c = 0; c < classes; c++) {
      const curve = Float32Array.from({ length: frames }, (_, n) => data[n * classes + c]);
      for (const f of peakPick(curve, { threshold: 0.3, compat: 'thesis' }).peakFrames[0]) fromPeakPick.push(`${c}@${f}`);
    }
    const got = thesis.events.map((e) => `${e.classIndex}@${Math.round(e.timeSeconds * 100)}`);
    expect(got.sort()).toEqual(fromPeakPick.sort());
    expect(got.length).toBeGreaterThan(3);
    await expectError(
      transcribe({ samples: signal, sampleRate: SR }, { model: bundle, peakPicking: { compat: 'madmom' as never } }),
      InvalidArgumentError, 'INVALID_ARGUMENT', /peakPicking\.compat must be 'adtkit' or 'thesis'/,
    );
    await expectError(
      transcribe({ samples: signal, sampleRate: SR }, { model: bundle, peakPicking: { compat: 'thesis', causal: true } }),
      InvalidArgumentError, 'INVALID_ARGUMENT', /cannot be combined with causal/,
    );
  });

  it('resamples any rate: 48 kHz stereo gives the frames of 44.1 kHz audio of the same duration', async () => {
    const seconds = 3;
    const at44 = await transcribe({ samples: clicks([50, 120, 210], seconds), sampleRate: SR }, { model: bundle });
    const left = clicks([50, 120, 210], seconds, 0.9, 48000);
    const right = left.map((v) => v * 0.5);
    const at48 = await transcribe({ channels: [left, right], sampleRate: 48000 }, { model: bundle, thresholds: 0.3 });
    expect(at48.activations.frames).toBe(at44.activations.frames);
    expect(at48.durationSeconds).toBeCloseTo(seconds, 10);
    expect(at48.events.map((e) => Math.round(e.timeSeconds * 100))).toEqual([50, 120, 210]);
    // Stereo is mixed by the mean: same result as the mean given as mono.
    const mean = left.map((v, i) => (v + right[i]) / 2);
    const mono = await transcribe({ samples: mean, sampleRate: 48000 }, { model: bundle, thresholds: 0.3 });
    expect(mono.activations.data).toEqual(at48.activations.data);
    // And resampling is what dsp's resample does.
    const spec = logFilteredSpectrogram(resample(mean, 48000, SR), SR);
    expect(spec.frames).toBe(at48.activations.frames);
  });

  it('rejects bad options and bad audio with typed errors naming the field', async () => {
    const audio = { samples: clicks([10], 0.5), sampleRate: SR };
    await expectError(transcribe(audio, {} as never), InvalidArgumentError, 'INVALID_ARGUMENT', /options\.model must be a model bundle/);
    await expectError(transcribe(audio, { model: bundle, threshold: 0.3 } as never), InvalidArgumentError, 'INVALID_ARGUMENT', /options\.threshold .*did you mean "thresholds"/);
    await expectError(transcribe(audio, { model: bundle, thresholds: [0.5, 0.5] }), InvalidArgumentError, 'INVALID_ARGUMENT', /thresholds has 2 values but the model has 5 classes/);
    await expectError(transcribe(audio, { model: bundle, thresholds: { XX: 0.5 } }), InvalidArgumentError, 'INVALID_ARGUMENT', /thresholds\.XX names no class/);
    await expectError(transcribe(audio, { model: bundle, thresholds: 1.5 }), InvalidArgumentError, 'INVALID_ARGUMENT', /\[0, 1\)/);
    await expectError(transcribe(audio, { model: bundle, contextFrames: 200 }), InvalidArgumentError, 'INVALID_ARGUMENT', /contextFrames must be an integer in \[0, 199\]/);
    await expectError(transcribe(audio, { model: bundle, batchSize: 0 }), InvalidArgumentError, 'INVALID_ARGUMENT', /batchSize must be a positive integer/);
    await expectError(transcribe(audio, { model: bundle, peakPicking: { threshold: 0.2 } as never }), InvalidArgumentError, 'INVALID_ARGUMENT', /peakPicking\.threshold is not a peak-picking option/);
    await expectError(transcribe({ samples: new Float32Array(0), sampleRate: SR }, { model: bundle }), AudioError, 'INVALID_AUDIO', /no samples/);
    await expectError(transcribe({ samples: Float32Array.of(0, NaN), sampleRate: SR }, { model: bundle }), NonFiniteError, 'NON_FINITE', /NaN/);
    await expectError(transcribe({ samples: new Float32Array(10), sampleRate: 44100.5 }, { model: bundle }), AudioError, 'INVALID_AUDIO', /sampleRate/);
    await expectError(transcribe({ samples: [0, 1] as never, sampleRate: SR }, { model: bundle }), InvalidArgumentError, 'INVALID_ARGUMENT', /Float32Array/);
  });
});
