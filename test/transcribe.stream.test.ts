/**
 * Transcriber (streaming): for random chunkings the events equal those of the one-shot
 * transcribe() exactly (times, classes, velocities), with and without resampling, with the
 * fractional hop of the madmom preset at 22.05 kHz, for a CRNN; plus stream life-cycle errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AudioError, InvalidArgumentError } from '../src/errors.js';
import { createBundle, transcribe, Transcriber, type ModelBundle, type TranscriberOptions } from '../src/transcribe/index.js';
import type { DrumEvent } from '../src/types.js';
import { clickTrack, drumLike, energyBundle, energyModel, rng, SR, tinyCrnnBundle } from './helpers/transcribeModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Activations handed out by the last {@link streamed} call, concatenated. */
let streamedActivations: number[] = [];

/** Pushes `channels` in chunks whose sizes come from `sizes()`, then flushes. */
async function streamed(options: TranscriberOptions, channels: Float32Array[], sizes: () => number): Promise<DrumEvent[]> {
  streamedActivations = [];
  const transcriber = new Transcriber({
    ...options,
    onActivations: (chunk) => {
      expect(chunk.startFrame * chunk.classes).toBe(streamedActivations.length);
      streamedActivations.push(...chunk.data);
    },
  });
  const events: DrumEvent[] = [];
  const n = channels[0].length;
  for (let at = 0; at < n;) {
    const size = Math.min(n - at, sizes());
    const chunk = channels.length === 1 ? channels[0].subarray(at, at + size) : channels.map((c) => c.subarray(at, at + size));
    events.push(...(await transcriber.push(chunk)));
    at += size;
  }
  events.push(...(await transcriber.flush()));
  return events;
}

/** Chunkings: tiny, medium, large, mixed (seeded). */
function chunkings(seed: number): Array<[string, () => number]> {
  const random = rng(seed);
  return [
    ['1..300 samples', () => 1 + Math.floor(random() * 300)],
    ['1..20000 samples', () => 1 + Math.floor(random() * 20000)],
    ['100000 samples', () => 100000],
    ['mixed, with empty chunks', () => [0, 1, 7, 4096, 30011, 250000][Math.floor(random() * 6)]],
  ];
}

describe('Transcriber equals transcribe()', () => {
  let energy: ModelBundle;
  beforeAll(() => {
    energy = energyBundle();
  });

  it('at the model rate, mono, for random chunkings', async () => {
    const signal = drumLike(11.3, 21);
    for (const batchSize of [1, 3]) {
      const oneShot = await transcribe({ samples: signal, sampleRate: SR }, { model: energy, batchSize, contextFrames: 30 });
      const expected = oneShot.events;
      expect(expected.length).toBeGreaterThan(20);
      for (const [name, sizes] of chunkings(batchSize)) {
        const events = await streamed({ model: energy, batchSize, contextFrames: 30 }, [signal], sizes);
        expect(events, `${name}, batch ${batchSize}`).toEqual(expected);
        expect(Float32Array.from(streamedActivations), `${name}, batch ${batchSize}`).toEqual(oneShot.activations.data);
      }
    }
  });

  it('at 48 kHz stereo (resampled), for random chunkings', async () => {
    const rate = 48000;
    const left = drumLike(7.7, 22, rate);
    const right = drumLike(7.7, 23, rate);
    const options = { model: energy, batchSize: 2, thresholds: 0.3 };
    const oneShot = await transcribe({ channels: [left, right], sampleRate: rate }, options);
    const expected = oneShot.events;
    expect(expected.length).toBeGreaterThan(20);
    for (const [name, sizes] of chunkings(5)) {
      expect(await streamed({ ...options, sampleRate: rate }, [left, right], sizes), name).toEqual(expected);
      expect(Float32Array.from(streamedActivations), name).toEqual(oneShot.activations.data);
    }
  });

  it('with the madmom preset at 22.05 kHz (fractional hop of 220.5 samples), from 16 kHz input', async () => {
    const bundle = createBundle(energyModel(5, 85), { license: 'MIT', standardization: { mean: 0, std: 1 }, preset: 'madmom', sampleRate: 22050 });
    const signal = clickTrack(6.1, 24, 16000);
    const options = { model: bundle, batchSize: 2, segmentFrames: 150, contextFrames: 25, thresholds: 0.1 };
    const oneShot = await transcribe({ samples: signal, sampleRate: 16000 }, options);
    const expected = oneShot.events;
    expect(expected.length).toBeGreaterThan(10);
    for (const [name, sizes] of chunkings(6)) {
      expect(await streamed({ ...options, sampleRate: 16000 }, [signal], sizes), name).toEqual(expected);
      expect(Float32Array.from(streamedActivations), name).toEqual(oneShot.activations.data);
    }
  });

  it('for a CRNN, and for audio shorter than a window', async () => {
    const crnn = tinyCrnnBundle({ peakPicking: { threshold: 0.05 } });
    const options = { model: crnn, batchSize: 2, segmentFrames: 60, contextFrames: 10 };
    const signal = drumLike(2.2, 25);
    const oneShot = await transcribe({ samples: signal, sampleRate: SR }, options);
    const expected = oneShot.events;
    expect(expected.length).toBeGreaterThan(0);
    expect(await streamed(options, [signal], chunkings(7)[1][1])).toEqual(expected);
    expect(Float32Array.from(streamedActivations)).toEqual(oneShot.activations.data);
    const short = signal.subarray(0, 5000);
    const shortExpected = (await transcribe({ samples: short, sampleRate: SR }, options)).events;
    expect(await streamed(options, [short], () => 333)).toEqual(shortExpected);
    crnn.model.dispose();
  });

  it('returns events while the stream runs (not only at flush), in time order', async () => {
    const signal = drumLike(12, 26);
    const transcriber = new Transcriber({ model: energy, batchSize: 1 });
    const early: DrumEvent[] = [];
    for (let at = 0; at < signal.length; at += 44100) early.push(...(await transcriber.push(signal.subarray(at, at + 44100))));
    const late = await transcriber.flush();
    expect(early.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(0);
    const times = [...early, ...late].map((e) => e.timeSeconds);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('serializes pushes that are not awaited one by one', async () => {
    const signal = drumLike(5, 27);
    const expected = (await transcribe({ samples: signal, sampleRate: SR }, { model: energy })).events;
    const transcriber = new Transcriber({ model: energy });
    const pending: Promise<DrumEvent[]>[] = [];
    for (let at = 0; at < signal.length; at += 10000) pending.push(transcriber.push(signal.subarray(at, at + 10000)));
    pending.push(transcriber.flush());
    expect((await Promise.all(pending)).flat()).toEqual(expected);
  });
});

describe('Transcriber life cycle', () => {
  it('rejects pushes after flush until reset, flush without audio, and bad chunks', async () => {
    const energy = energyBundle();
    const transcriber = new Transcriber({ model: energy });
    await expect(transcriber.flush()).rejects.toThrow(AudioError);
    await transcriber.push(drumLike(0.5, 1));
    await transcriber.flush();
    expect(await transcriber.flush()).toEqual([]);
    await expect(transcriber.push(new Float32Array(10))).rejects.toThrow(/the stream was flushed; call reset\(\)/);
    transcriber.reset();
    expect(transcriber.samplesPushed).toBe(0);
    await transcriber.push(new Float32Array(10));
    expect(transcriber.samplesPushed).toBe(10);
    await expect(transcriber.push([new Float32Array(3), new Float32Array(4)])).rejects.toThrow(/channels\[1\] has 4 samples but channels\[0\] has 3/);
    await expect(transcriber.push([1, 2, 3] as never)).rejects.toThrow(InvalidArgumentError);
    await expect(transcriber.push(Float32Array.of(Infinity))).rejects.toThrow(/samples must be finite/);
    expect(() => new Transcriber({ model: energy, sampleRate: 0 })).toThrow(/options\.sampleRate must be a positive integer/);
    expect(() => new Transcriber({ model: energy, onProgress: () => undefined } as never)).toThrow(/options\.onProgress is not an option/);
  });
  it("rejects peakPicking.compat 'thesis' (offline only) with InvalidArgumentError", () => {
    const model = energyBundle();
    expect(() => new Transcriber({ model, peakPicking: { compat: 'thesis' } })).toThrow(/offline only; use transcribe\(\)/);
    try {
      new Transcriber({ model, peakPicking: { compat: 'thesis' } });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
    }
  });
});
