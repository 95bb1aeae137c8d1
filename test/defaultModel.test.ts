/**
 * The built-in model bundle (models/default): it loads, its card is complete and consistent
 * with the model, it is under 5 MB, it transcribes a synthetic kick/snare pattern, and (when
 * ../shared/data is present) it scores above a floor on a real drum-only MDB Drums track.
 * The floor is set well below the measured value (scripts/train-default/evaluate-mdb.ts; the
 * card's `metrics.mdbDrumsDev`), so the test catches a broken bundle or pipeline, not noise.
 * wasm backend (inference only; the cpu backend needs minutes for a real track).
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateWasmBinaries } from './helpers/wasm.js';
import { onsetF1 } from '../src/eval/index.js';
import { MDB_CLASS_MAPPING, parseTextAnnotations, readAudioFile } from '../src/io/index.js';
import { countCRNNParams } from '../src/models/index.js';
import { loadBundle, transcribe, validateModelCard, type ModelBundle } from '../src/transcribe/index.js';
import { devDataDir, devDataSkipReason } from './helpers/fixtures.js';

const BUNDLE_DIR = resolve(__dirname, '..', 'models', 'default');
const FILES = ['card.json', 'model.json', 'weights.bin'];
/** Drum-only MDB track scored by the real-recording test, and the floor of its micro-F1. */
const MDB_TRACK = 'Rockabilly';
/** Only the first seconds of the track are scored (keeps the test fast). */
const MDB_EXCERPT_SECONDS = 20;
/** Measured 0.64 on this excerpt (threshold 0.5; whole track 0.61) with the shipped weights. */
const MDB_DRUMS_MICRO_F1_FLOOR = 0.4;

let bundle: ModelBundle;

beforeAll(async () => {
  locateWasmBinaries();
  expect(await tf.setBackend('wasm')).toBe(true);
  bundle = await loadBundle(BUNDLE_DIR);
});

afterAll(() => {
  bundle?.model.dispose();
});

describe('models/default bundle', () => {
  it('is under 5 MB', () => {
    const bytes = FILES.reduce((s, f) => s + statSync(join(BUNDLE_DIR, f)).size, 0);
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });

  it('has a valid, complete card that fits the model', () => {
    const raw = JSON.parse(readFileSync(join(BUNDLE_DIR, 'card.json'), 'utf8')) as Record<string, any>;
    const card = validateModelCard(raw, 'models/default/card.json');
    expect(card.architecture).toBe('crnn');
    expect(card.architectureOptions).toEqual({ numLayers: 2, hiddenSize: 72, cell: 'gru' });
    const trainable = bundle.model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b as number), 1), 0);
    expect(trainable).toBe(countCRNNParams({ numLayers: 2, hiddenSize: 72, cell: 'gru' }));
    expect(card.preset).toBe('thesis');
    expect(card.sampleRate).toBe(44100);
    expect(card.frameRate).toBe(100);
    expect(card.inputBins).toBe(84);
    expect(card.segmentFrames).toBe(400);
    expect(card.classNames).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
    expect(typeof card.standardization.mean).toBe('number');
    expect(card.standardization.std as number).toBeGreaterThan(0);
    expect(card.peakPicking.classThresholds).toHaveLength(5);
    expect(card.license).toBe('MIT');
    expect(card.training?.data).toMatch(/synthetic/i);
    expect(card.training?.data).toMatch(/MIT/);
    const curves = card.training?.curves as Array<Record<string, number>>;
    expect(curves.length).toBeGreaterThan(0);
    for (const c of curves) for (const k of ['epoch', 'trainLoss', 'validationLoss', 'validationMicroF1']) expect(Number.isFinite(c[k])).toBe(true);
    const mdb = (card.metrics as Record<string, any>).mdbDrumsDev;
    for (const kind of ['mixes', 'drumsOnly']) {
      for (const setting of ['threshold05', 'tunedThresholds']) {
        const m = mdb[kind][setting];
        expect(m.microF1).toBeGreaterThanOrEqual(0);
        expect(m.microF1).toBeLessThanOrEqual(1);
        expect(Object.keys(m.classF1)).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
      }
    }
    expect((card.metrics as Record<string, any>).syntheticValidation.tunedPerClass.microF1).toBeGreaterThan(0);
  });

  it('transcribes a synthetic kick / snare pattern', async () => {
    const sr = 44100;
    const seconds = 6;
    const signal = new Float32Array(seconds * sr);
    let seed = 1;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 31 - 1;
    };
    const kicks = [0.5, 1.5, 2.5, 3.5, 4.5];
    const snares = [1.0, 2.0, 3.0, 4.0, 5.0];
    // Each hit fades out over its last 20 ms: a hit cut off abruptly ends in a click, itself a
    // broadband onset that a model may rightly report (the second built-in model does, as HH).
    const fadeOut = (i: number, length: number) => Math.min(1, (length - i) / (0.02 * sr));
    for (const t of kicks) {
      // Kick: a sine sweeping 120 → 50 Hz with a fast exponential decay and a click.
      const start = Math.round(t * sr);
      const length = 0.3 * sr;
      let phase = 0;
      for (let i = 0; i < length; i++) {
        const u = i / sr;
        phase += (2 * Math.PI * (50 + 70 * Math.exp(-u / 0.03))) / sr;
        signal[start + i] += (0.8 * Math.sin(phase) * Math.exp(-u / 0.12) + (i < 64 ? 0.3 * noise() : 0)) * fadeOut(i, length);
      }
    }
    for (const t of snares) {
      // Snare: a 190 Hz body plus noise, both decaying.
      const start = Math.round(t * sr);
      const length = 0.25 * sr;
      for (let i = 0; i < length; i++) {
        const u = i / sr;
        signal[start + i] += (0.35 * Math.sin(2 * Math.PI * 190 * u) * Math.exp(-u / 0.05) + 0.5 * noise() * Math.exp(-u / 0.07)) * fadeOut(i, length);
      }
    }
    const tensorsBefore = tf.memory().numTensors;
    const result = await transcribe({ samples: signal, sampleRate: sr }, { model: bundle });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.events.length).toBeGreaterThan(0);
    for (const e of result.events) {
      expect(e.timeSeconds).toBeGreaterThanOrEqual(0);
      expect(e.timeSeconds).toBeLessThan(seconds);
      expect(bundle.card.classNames[e.classIndex]).toBe(e.className);
    }
    // Every event lies near one of the hits (nothing is invented in the silence between them).
    const hits = [...kicks, ...snares];
    for (const e of result.events) expect(Math.min(...hits.map((h) => Math.abs(h - e.timeSeconds)))).toBeLessThan(0.1);
    // Most kicks are found as KD.
    const kd = result.events.filter((e) => e.className === 'KD');
    expect(kicks.filter((k) => kd.some((e) => Math.abs(e.timeSeconds - k) <= 0.05)).length).toBeGreaterThanOrEqual(3);
  });

  it.skipIf(devDataDir === null)(`scores above ${MDB_DRUMS_MICRO_F1_FLOOR} micro-F1 on a real drum-only track (first ${MDB_EXCERPT_SECONDS} s of ${MDB_TRACK}) ${devDataDir === null ? `(${devDataSkipReason})` : ''}`, async () => {
    const dir = devDataDir as string;
    const audio = await readAudioFile(join(dir, `${MDB_TRACK}.drums.flac`));
    const channels = audio.channels.map((c) => c.slice(0, MDB_EXCERPT_SECONDS * audio.sampleRate));
    // Onsets in the last 0.1 s of the excerpt are left out of both lists (a cut hit may or may not be found).
    const inside = (t: number) => t < MDB_EXCERPT_SECONDS - 0.1;
    const reference = parseTextAnnotations(readFileSync(join(dir, `${MDB_TRACK}.class.txt`)), { mapping: MDB_CLASS_MAPPING }).events
      .filter((e) => inside(e.timeSeconds))
      .sort((a, b) => a.timeSeconds - b.timeSeconds);
    expect(reference.length).toBeGreaterThan(20);
    const events = (await transcribe({ channels, sampleRate: audio.sampleRate }, { model: bundle, thresholds: 0.5, batchSize: 8 })).events.filter((e) => inside(e.timeSeconds));
    const score = onsetF1(events, reference, { matching: 'bipartite', windowSeconds: 0.05 });
    expect(score.micro.f1).toBeGreaterThan(MDB_DRUMS_MICRO_F1_FLOOR);
  }, 60_000);
});
