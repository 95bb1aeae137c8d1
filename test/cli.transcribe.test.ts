/**
 * CLI commands that run models, in child processes: `transcribe` writes valid MIDI, text and
 * JSON (known-function model, so the onsets are known), on cpu and wasm; `train` writes a
 * bundle that `transcribe` then uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAudioData, encodeWav, parseEventsJson, parseMidiAnnotations, parseTextAnnotations } from '../src/io/index.js';
import { saveBundle, validateModelCard } from '../src/transcribe/index.js';
import { adtkit, lines, repoRoot } from './helpers/cli.js';
import { clicks, clickTrack, energyBundle, SR } from './helpers/transcribeModels.js';

const dir = mkdtempSync(join(tmpdir(), 'adtkit-cli-tr-'));
const model = join(dir, 'energy');
const wav = join(dir, 'song.wav');
const onsets = [0.2, 0.7, 1.2];

beforeAll(async () => {
  await tf.setBackend('cpu');
  await saveBundle(model, energyBundle());
  writeFileSync(wav, encodeWav(createAudioData([clicks([20, 70, 120], 1.5)], SR)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adtkit transcribe', () => {
  it('writes MIDI, text and JSON files that read back as the onsets', () => {
    const mid = join(dir, 'out.mid');
    const r = adtkit(['transcribe', wav, '-o', mid, '--model', model]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/song\.wav: 3 onsets in 1\.5 s of audio .* → .*out\.mid/);
    const midi = parseMidiAnnotations(new Uint8Array(readFileSync(mid)));
    expect(midi.events.map((e) => e.pitch)).toEqual([36, 36, 36]);
    midi.events.forEach((e, i) => expect(Math.abs(e.timeSeconds - onsets[i])).toBeLessThan(0.001));

    const txt = join(dir, 'out.txt');
    expect(adtkit(['transcribe', wav, '-o', txt, '--model', model, '-q']).status).toBe(0);
    const text = parseTextAnnotations(readFileSync(txt, 'utf8'));
    expect(text.events.map((e) => [e.timeSeconds, e.className])).toEqual(onsets.map((t) => [t, 'KD']));

    const json = join(dir, 'out.json');
    expect(adtkit(['transcribe', wav, '-o', json, '--model', model, '-q']).status).toBe(0);
    const parsed = parseEventsJson(readFileSync(json, 'utf8'));
    expect(parsed.classNames).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
    expect(parsed.events.map((e) => e.timeSeconds)).toEqual(onsets);
    for (const e of parsed.events) expect(e.velocity).toBeGreaterThan(0.5);
  });

  it('prints text on stdout without -o, and the wasm backend gives the same onsets', () => {
    const cpu = adtkit(['transcribe', wav, '--model', model, '-q']);
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(cpu.stderr).toBe('');
    expect(parseTextAnnotations(cpu.stdout).events.map((e) => e.timeSeconds)).toEqual(onsets);
    const wasm = adtkit(['transcribe', wav, '--model', model, '-q', '--backend', 'wasm']);
    expect(wasm.status, wasm.stderr).toBe(0);
    expect(wasm.stdout).toBe(cpu.stdout);
    const strict = adtkit(['transcribe', wav, '--model', model, '-q', '--threshold', '0.99999']);
    expect(strict.stdout).toBe('');
  });

  it('writes one file per input into a directory, for any sample rate and channel count', () => {
    const other = join(dir, 'other.wav');
    const left = clicks([50, 100], 1.2, 0.9, 48000);
    writeFileSync(other, encodeWav(createAudioData([left, left], 48000)));
    const out = join(dir, 'outdir');
    const r = adtkit(['transcribe', wav, other, '-o', out, '--format', 'txt', '--model', model]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toHaveLength(2);
    expect(parseTextAnnotations(readFileSync(join(out, 'song.txt'))).events.map((e) => e.timeSeconds)).toEqual(onsets);
    expect(parseTextAnnotations(readFileSync(join(out, 'other.txt'))).events.map((e) => e.timeSeconds)).toEqual([0.5, 1]);
  });

  it('explains a missing built-in model and an unknown output format', () => {
    const noModel = adtkit(['transcribe', wav]);
    if (!existsSync(join(repoRoot, 'models', 'default', 'card.json'))) {
      expect(noModel.status).toBe(2);
      expect(noModel.stderr.trim()).toMatch(/^adtkit transcribe: no built-in model yet; pass --model <bundle directory>/);
    }
    const badFormat = adtkit(['transcribe', wav, '-o', join(dir, 'out.wav'), '--model', model]);
    expect(badFormat.status).toBe(2);
    expect(lines(badFormat.stderr)).toHaveLength(1);
    expect(badFormat.stderr).toMatch(/cannot tell the output format of ".*out\.wav"/);
    const notBundle = adtkit(['transcribe', wav, '--model', dir]);
    expect(notBundle.status).toBe(1);
    expect(notBundle.stderr.trim()).toMatch(/^adtkit transcribe: no card\.json in ".*": not an adtkit model bundle/);
  });
});

describe('adtkit train', () => {
  it('trains from a config file and writes a bundle that transcribe uses', () => {
    const times = (seed: number): number[] => {
      const x = clickTrack(2.2, seed);
      const t: number[] = [];
      x.forEach((v, i) => {
        if (v > 0.1) t.push(i / SR);
      });
      writeFileSync(join(dir, `train${seed}.mix.wav`), encodeWav(createAudioData([x], SR)));
      writeFileSync(join(dir, `train${seed}.class.txt`), t.map((s) => `${s.toFixed(6)}\tKD\n`).join(''));
      return t;
    };
    expect(times(1).length).toBeGreaterThan(3);
    times(2);
    times(3);
    const config = {
      output: 'trained',
      model: { architecture: 'rnn', options: { searchSpace: 'any', numLayers: 1, hiddenSize: 4 } },
      data: {
        segmentFrames: 50,
        train: [{ audio: 'train1.mix.wav', annotations: 'train1.class.txt' }, { audio: 'train2.mix.wav', annotations: 'train2.class.txt' }],
        validation: [{ audio: 'train3.mix.wav', annotations: 'train3.class.txt' }],
      },
      training: { epochs: 2, batchSize: 4, seed: 3 },
      card: { name: 'cli-test', license: 'CC0-1.0', training: { data: 'synthetic clicks' } },
    };
    writeFileSync(join(dir, 'train.json'), JSON.stringify(config));
    const r = adtkit(['train', join(dir, 'train.json')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/training data: 2 files, 4\.4 s, \d+ onsets, 10 segments; validation: 1 files, 5 segments/);
    expect(r.stderr).toMatch(/^epoch 1: train loss \d/m);
    expect(r.stderr).toMatch(/^epoch 2: /m);
    expect(r.stderr).toMatch(/wrote .*trained \(2 epochs, epochs, best validation micro-F1/);
    const card = validateModelCard(JSON.parse(readFileSync(join(dir, 'trained', 'card.json'), 'utf8')));
    expect(card).toMatchObject({ name: 'cli-test', architecture: 'rnn', segmentFrames: 50, license: 'CC0-1.0', classNames: ['KD', 'SD', 'TT', 'HH', 'CY'] });
    expect(card.training?.data).toBe('synthetic clicks');
    expect(card.training?.epochs).toBe(2);
    expect(typeof card.metrics?.validationMicroF1).toBe('number');
    expect(typeof card.standardization.mean).toBe('number');
    const used = adtkit(['transcribe', wav, '--model', join(dir, 'trained'), '-q']);
    expect(used.status, used.stderr).toBe(0);

    const bad = { ...config, card: { name: 'x' } };
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const refused = adtkit(['train', join(dir, 'bad.json')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^adtkit train: .*bad\.json: card\.license is required/);
  });
});
