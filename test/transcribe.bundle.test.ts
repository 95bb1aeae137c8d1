/**
 * Model bundles: save/load round trips (directory, files in memory, HTTP), card defaults and
 * validation errors (every field), model/card mismatches. cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdtError, ModelConfigError } from '../src/errors.js';
import { createCNN } from '../src/models/index.js';
import {
  ADTKIT_VERSION, bundleToFiles, createBundle, loadBundle, saveBundle, transcribe, validateModelCard, type ModelBundle, type ModelCard,
} from '../src/transcribe/index.js';
import { drumLike, energyModel, SR, tinyCrnnBundle } from './helpers/transcribeModels.js';

const dir = mkdtempSync(join(tmpdir(), 'adtkit-bundle-'));
let bundle: ModelBundle;

beforeAll(async () => {
  await tf.setBackend('cpu');
  bundle = tinyCrnnBundle({
    description: 'a test model',
    peakPicking: { threshold: 0.2, classThresholds: [0.2, 0.3, 0.25, 0.2, 0.4], delta: 0.05 },
    training: { data: 'synthetic clicks (public domain)', epochs: 0 },
    metrics: { validationMicroF1: 0.5 },
    standardization: { mean: Float32Array.from({ length: 84 }, (_, i) => i / 100), std: new Float32Array(84).fill(0.5) },
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function expectConfigError(promise: Promise<unknown> | (() => unknown), field: string, pattern: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an error for ${field}`).toBeInstanceOf(ModelConfigError);
  expect((caught as AdtError).code).toBe('INVALID_MODEL_CONFIG');
  expect((caught as AdtError).field).toBe(field);
  expect((caught as Error).message).toMatch(pattern);
}

describe('createBundle', () => {
  it('fills the card from the model and the defaults', () => {
    const c = bundle.card;
    expect(c.format).toBe('adtkit-model-card');
    expect(c.formatVersion).toBe(1);
    expect(c.architecture).toBe('crnn');
    expect(c.architectureOptions).toMatchObject({ numLayers: 1, hiddenSize: 8, cell: 'gru', searchSpace: 'any' });
    expect(c).toMatchObject({ preset: 'thesis', sampleRate: 44100, frameRate: 100, inputBins: 84, segmentFrames: 400, license: 'MIT', name: 'tiny-crnn' });
    expect(c.classNames).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
    expect(Array.isArray(c.standardization.mean) && c.standardization.mean.length).toBe(84);
    expect(c.adtkitVersion).toBe(ADTKIT_VERSION);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(ADTKIT_VERSION).toBe(pkg.version);
  });

  it('names a model that does not fit the card', async () => {
    const model = energyModel(3);
    // Three outputs: default class names class0..class2, unless the card names other classes.
    expect(createBundle(model, { license: 'MIT', standardization: { mean: 0, std: 1 } }).card.classNames).toEqual(['class0', 'class1', 'class2']);
    await expectConfigError(() => createBundle(model, { license: 'MIT', standardization: { mean: 0, std: 1 }, classNames: ['KD', 'SD', 'TT', 'HH'] }), 'card.classNames', /outputs 3 classes but card\.classNames has 4/);
    const narrow = createCNN({ inputBins: 83, searchSpace: 'any', numConvBlocks: 1, numLayers: 1, hiddenSize: 4 });
    await expectConfigError(() => createBundle(narrow, { license: 'MIT', standardization: { mean: 0, std: 1 } }), 'card.inputBins', /card\.inputBins is 83 but the "thesis" preset at 44100 Hz has 84 filters/);
    expect(createBundle(narrow, { license: 'MIT', standardization: { mean: 0, std: 1 }, sampleRate: 48000 }).card.inputBins).toBe(83);
    await expectConfigError(() => createBundle(narrow, { license: 'MIT', standardization: { mean: 0, std: 1 }, sampleRate: 48000, inputBins: 84 }), 'card.inputBins', /is 84 but the "thesis" preset at 48000 Hz has 83/);
    await expectConfigError(() => createBundle(narrow, { standardization: { mean: 0, std: 1 }, sampleRate: 48000 } as never), 'card.license', /must be a non-empty string/);
    narrow.dispose();
    model.dispose();
  });
});

describe('saveBundle / loadBundle', () => {
  it('round-trips through a directory: same card, identical activations', async () => {
    const path = join(dir, 'crnn');
    await saveBundle(path, bundle);
    const loaded = await loadBundle(path);
    expect(loaded.card).toEqual(bundle.card);
    const card = JSON.parse(readFileSync(join(path, 'card.json'), 'utf8')) as ModelCard;
    expect(card).toEqual(bundle.card);
    const audio = { samples: drumLike(1.2, 2), sampleRate: SR };
    const a = await transcribe(audio, { model: bundle, segmentFrames: 80, contextFrames: 8 });
    const b = await transcribe(audio, { model: loaded, segmentFrames: 80, contextFrames: 8 });
    expect(b.activations.data).toEqual(a.activations.data);
    expect(b.events).toEqual(a.events);
    // A path to card.json or model.json, and a file:// URL, name the same bundle.
    expect((await loadBundle(join(path, 'card.json'))).card).toEqual(bundle.card);
    expect((await loadBundle(`file://${path}`)).card).toEqual(bundle.card);
    loaded.model.dispose();
  });

  it('round-trips through files in memory and through HTTP', async () => {
    const files = await bundleToFiles(bundle);
    expect(Object.keys(files).sort()).toEqual(['card.json', 'model.json', 'weights.bin']);
    const fromMemory = await loadBundle({ files, name: 'memory' });
    expect(fromMemory.card).toEqual(bundle.card);
    const weights = bundle.model.getWeights().map((w) => w.dataSync());
    fromMemory.model.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(weights[i]));
    fromMemory.model.dispose();

    const served: string[] = [];
    const server: Server = createServer((request, response) => {
      served.push(request.url ?? '');
      const name = (request.url ?? '').replace(/^\/models\/tiny\//, '');
      const body = files[name];
      if (body === undefined) {
        response.statusCode = 404;
        response.end();
        return;
      }
      response.setHeader('content-type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      response.end(Buffer.from(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const fromHttp = await loadBundle(`http://127.0.0.1:${port}/models/tiny/`);
      expect(fromHttp.card).toEqual(bundle.card);
      expect(served.sort()).toEqual(['/models/tiny/card.json', '/models/tiny/model.json', '/models/tiny/weights.bin']);
      fromHttp.model.dispose();
      let caught: unknown;
      try {
        await loadBundle(`http://127.0.0.1:${port}/elsewhere`);
      } catch (e) {
        caught = e;
      }
      expect((caught as AdtError).code).toBe('IO_ERROR');
      expect((caught as Error).message).toMatch(/cannot fetch the model card .*elsewhere\/card\.json: HTTP 404/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports a directory that is not a bundle, and a card that does not fit the model', async () => {
    const empty = join(dir, 'empty');
    writeFileSync(join(dir, 'not-a-dir.txt'), 'x');
    let caught: unknown;
    try {
      await loadBundle(empty);
    } catch (e) {
      caught = e;
    }
    expect((caught as AdtError).code).toBe('IO_ERROR');
    expect((caught as Error).message).toMatch(/no card\.json in ".*empty": not an adtkit model bundle/);

    const path = join(dir, 'mismatch');
    await saveBundle(path, bundle);
    const card = JSON.parse(readFileSync(join(path, 'card.json'), 'utf8'));
    card.classNames = ['KD', 'SD', 'HH'];
    card.peakPicking = { threshold: 0.5 };
    writeFileSync(join(path, 'card.json'), JSON.stringify(card));
    await expectConfigError(loadBundle(path), 'card.classNames', /the model outputs 5 classes but card\.classNames has 3 \(KD, SD, HH\)/);
    writeFileSync(join(path, 'card.json'), '{ "format": ');
    await expectConfigError(loadBundle(path), 'card', /card\.json: not valid JSON/);
  });
});

describe('validateModelCard', () => {
  const valid = (): Record<string, any> => JSON.parse(JSON.stringify(bundle.card));
  const cases: Array<[string, (c: Record<string, any>) => void, string, RegExp]> = [
    ['format', (c) => { c.format = 'something'; }, 'card.format', /must be "adtkit-model-card", got "something" \(is this an adtkit model bundle\?\)/],
    ['newer version', (c) => { c.formatVersion = 2; }, 'card.formatVersion', /is 2; this adtkit .* reads version 1 \(the bundle was written by a newer adtkit: upgrade\)/],
    ['architecture', (c) => { c.architecture = 'lstm'; }, 'card.architecture', /must be one of "rnn", .*got "lstm"/],
    ['preset', (c) => { c.preset = 'librosa'; }, 'card.preset', /must be one of "thesis", "madmom", got "librosa"/],
    ['sampleRate', (c) => { c.sampleRate = 0; }, 'card.sampleRate', /must be a positive integer, got 0/],
    ['frameRate', (c) => { c.frameRate = 50; }, 'card.frameRate', /is 50 but the "thesis" preset at 44100 Hz gives 100 frames per second/],
    ['inputBins', (c) => { c.sampleRate = 48000; c.frameRate = 100; }, 'card.inputBins', /is 84 but the "thesis" preset at 48000 Hz has 83 filters/],
    ['segmentFrames', (c) => { c.segmentFrames = 1.5; }, 'card.segmentFrames', /positive integer, got 1.5/],
    ['classNames', (c) => { c.classNames = ['KD', 'KD', 'TT', 'HH', 'CY']; }, 'card.classNames', /names "KD" twice/],
    ['standardization', (c) => { delete c.standardization; }, 'card.standardization', /must be an object \{ mean, std \}/],
    ['std', (c) => { c.standardization.std = 0; }, 'card.standardization.std', /positive finite number, got 0/],
    ['mean per band', (c) => { c.standardization.mean = [1, 2, 3]; }, 'card.standardization.mean', /a number or 84 finite numbers \(one per input bin\), got an array of 3/],
    ['threshold', (c) => { c.peakPicking.threshold = 1; }, 'card.peakPicking.threshold', /must be a number in \[0, 1\)/],
    ['classThresholds', (c) => { c.peakPicking.classThresholds = [0.5]; }, 'card.peakPicking.classThresholds', /must be 5 numbers \(one per class: KD, SD, TT, HH, CY\)/],
    ['classThresholds entry', (c) => { c.peakPicking.classThresholds[2] = -0.1; }, 'card.peakPicking.classThresholds[2]', /\[0, 1\)/],
    ['minDistanceFrames', (c) => { c.peakPicking.minDistanceFrames = -1; }, 'card.peakPicking.minDistanceFrames', /integer >= 0/],
    ['training', (c) => { c.training = 'lots'; }, 'card.training', /must be an object/],
    ['metrics', (c) => { c.metrics = [1]; }, 'card.metrics', /must be an object/],
    ['license', (c) => { delete c.license; }, 'card.license', /must be a non-empty string, got undefined/],
    ['adtkitVersion', (c) => { c.adtkitVersion = ''; }, 'card.adtkitVersion', /non-empty string/],
  ];
  for (const [name, change, field, pattern] of cases) {
    it(`names ${field} (${name})`, async () => {
      const card = valid();
      change(card);
      await expectConfigError(() => validateModelCard(card, 'models/x/card.json'), field, pattern);
      // The source is named too.
      expect(() => validateModelCard(card, 'models/x/card.json')).toThrow(/^models\/x\/card\.json: /);
    });
  }

  it('accepts the valid card and drops unknown top-level fields', () => {
    const card = { ...valid(), extra: 1 };
    expect(validateModelCard(card)).toEqual(bundle.card);
    expect(() => validateModelCard(null)).toThrow(ModelConfigError);
  });

  it('checks the madmom preset with its own frame rate and bins', () => {
    const card = { ...valid(), preset: 'madmom', sampleRate: 22050, frameRate: 100, inputBins: 85, standardization: { mean: 0, std: 1 } };
    const checked = validateModelCard(card);
    expect(checked.frameRate).toBe(100); // hop 220.5 samples
    expect(() => validateModelCard({ ...card, inputBins: 84 })).toThrow(/card\.inputBins is 84 but the "madmom" preset at 22050 Hz has 85 filters/);
    expect(() => validateModelCard({ ...card, preset: 'thesis' })).toThrow(/card\.frameRate is 100 but the "thesis" preset at 22050 Hz gives 100\.2272/);
  });
});
