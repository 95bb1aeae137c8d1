/**
 * The examples run: each one in a child process (`tsx`, as a user would run it) with small
 * inputs, checking the exit status and the lines it prints. Type-checking is `tsc --noEmit`
 * (tsconfig includes examples/). The training examples (examples/train-*.ts) are tested by
 * their own suite.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, decodeAudio, encodeWav, parseMidiAnnotations } from '../src/io/index.js';
import { createCRNN } from '../src/models/index.js';
import { createBundle, saveBundle, transcribe } from '../src/transcribe/index.js';
import type { DrumEvent } from '../src/index.js';
import { devDataDir, devDataSkipReason } from './helpers/fixtures.js';
import { energyDetector, SAMPLE_RATE, syntheticDrums } from './helpers/syntheticDrums.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
const EXAMPLE_TIMEOUT_MS = 90_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tsx examples/<name> ...args` in the repository root. */
function runExample(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((ok) => {
    execFile(
      tsx,
      [join('examples', name), ...args],
      { cwd: repoRoot, timeout: EXAMPLE_TIMEOUT_MS, env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        ok({ code, stdout, stderr });
      },
    );
  });
}

const context = (r: Run): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr.slice(-4000)}`;

describe('examples/peak-pick-and-score.ts', () => {
  it('peak-picks and scores plain arrays', async () => {
    const r = await runExample('peak-pick-and-score.ts');
    expect(r.code, context(r)).toBe(0);
    expect(r.stdout).toContain('KD peak frames: 20, 70, 120, 170, 220, 275');
    expect(r.stdout).toContain('SD peak frames (threshold 0.3): 45, 95, 145, 195, 245');
    expect(r.stdout).toContain('estimated events: 10');
    expect(r.stdout).toMatch(/KD: P 0\.833 R 1\.000 F1 0\.909 \(TP 5, FP 1, FN 0\)/);
    expect(r.stdout).toMatch(/SD: P 1\.000 R 0\.800 F1 0\.889 \(TP 4, FP 0, FN 1\)/);
    expect(r.stdout.match(/micro F1 0\.900, macro F1 0\.899/g)).toHaveLength(2);
  }, EXAMPLE_TIMEOUT_MS);

  it('imports nothing but adtkit/eval (no TensorFlow.js)', () => {
    const source = readFileSync(join(repoRoot, 'examples', 'peak-pick-and-score.ts'), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['../src/eval/index.js']);
  });
});

describe('examples with model bundles', () => {
  let tmp: string;
  let crnnDir: string;
  let detectorDir: string;
  let wavPath: string;
  let expected: DrumEvent[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    tmp = mkdtempSync(join(tmpdir(), 'adtkit-examples-'));
    const signal = syntheticDrums();
    const wav = encodeWav({ channels: [signal], sampleRate: SAMPLE_RATE });
    wavPath = join(tmp, 'hits.wav');
    writeFileSync(wavPath, wav);

    const detector = energyDetector(signal);
    const detectorBundle = createBundle(detector.model, { name: 'energy-detector', license: 'MIT', standardization: { mean: detector.mean, std: detector.std } });
    detectorDir = join(tmp, 'detector');
    await saveBundle(detectorDir, detectorBundle);
    expected = (await transcribe(await decodeAudio(wav), { model: detectorBundle })).events;
    detector.model.dispose();

    const crnn = createCRNN({ numLayers: 2, hiddenSize: 72 });
    crnnDir = join(tmp, 'crnn');
    await saveBundle(crnnDir, createBundle(crnn, { name: 'random-crnn', license: 'MIT', standardization: { mean: 0.3, std: 0.4 }, training: { data: 'nothing (random weights)' } }));
    crnn.dispose();
  }, EXAMPLE_TIMEOUT_MS);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('examples/transcribe-file.ts', () => {
    it('transcribes a WAV file and writes the events as MIDI', async () => {
      const midiPath = join(tmp, 'out.mid');
      const r = await runExample('transcribe-file.ts', [wavPath, '--bundle', detectorDir, '-o', midiPath, '--backend', 'wasm']);
      expect(r.code, context(r)).toBe(0);
      expect(expected.length).toBeGreaterThan(8);
      expect(r.stdout).toContain('4.00 s, 44100 Hz, 1 channel(s)');
      expect(r.stdout).toMatch(new RegExp(`^events: ${expected.length} \\(KD \\d+, SD \\d+, TT 0, HH \\d+, CY 0\\)`, 'm'));
      expect(r.stdout).toContain(`wrote ${midiPath}`);
      const midi = new Uint8Array(readFileSync(midiPath));
      expect(new TextDecoder().decode(midi.subarray(0, 4))).toBe('MThd');
      const written = parseMidiAnnotations(midi, { mapping: DEFAULT_MAPPING }).events;
      expect(written.map((e) => e.className)).toEqual(expected.map((e) => e.className));
      written.forEach((e, i) => expect(Math.abs(e.timeSeconds - expected[i].timeSeconds), `event ${i}`).toBeLessThan(1e-3));
    }, EXAMPLE_TIMEOUT_MS);

    it('fails with one usage line when no bundle is given', async () => {
      const r = await runExample('transcribe-file.ts', [wavPath]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('npm warn'))).toEqual([
        expect.stringMatching(/^transcribe-file: usage: npx tsx examples\/transcribe-file\.ts <audio file> --bundle/),
      ]);
    }, EXAMPLE_TIMEOUT_MS);

    it('fails with one clear line for a directory that is not a bundle', async () => {
      const r = await runExample('transcribe-file.ts', [wavPath, '--bundle', tmp]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^transcribe-file: no card\.json in .*not an adtkit model bundle/m);
    }, EXAMPLE_TIMEOUT_MS);
  });

  describe('examples/custom-pipeline.ts', () => {
    it('exits 0 with a message when the dev data is absent', async () => {
      const missing = join(tmp, 'no-such-data');
      const r = await runExample('custom-pipeline.ts', [], { ADTKIT_DEV_DATA: missing });
      expect(r.code, context(r)).toBe(0);
      expect(r.stdout).toContain(`MDB Drums dev data not found at ${missing}`);
    }, EXAMPLE_TIMEOUT_MS);

    if (devDataDir === null) console.warn(devDataSkipReason);

    it.skipIf(devDataDir === null)('runs DSP → random CRNN → peakPick → onsetF1 on 4 s of a dev track', async () => {
      const r = await runExample('custom-pipeline.ts', ['--track', 'Beatles', '--seconds', '4', '--backend', 'wasm'], { ADTKIT_DEV_DATA: devDataDir! });
      expect(r.code, context(r)).toBe(0);
      expect(r.stdout).toMatch(/^model: randomly initialised CRNN.*F1 will be poor/m);
      expect(r.stdout).toContain('Beatles.mix.flac (4.00 s at 44100 Hz)');
      expect(r.stdout).toContain('spectrogram: 800 frames x 84 bins at 100 fps (thesis preset, 401 of audio)');
      expect(r.stdout).toContain('segments: 2 x 400 frames'); // 401 frames of audio need two segments
      const reference = Number(/^reference onsets: (\d+)$/m.exec(r.stdout)?.[1]);
      expect(reference).toBeGreaterThan(0);
      for (const name of ['KD', 'SD', 'TT', 'HH', 'CY']) expect(r.stdout).toMatch(new RegExp(`^${name}: F1 \\d\\.\\d{3} \\(P `, 'm'));
      expect(r.stdout).toMatch(/^micro F1 \d\.\d{3}, macro F1 \d\.\d{3}$/m);
    }, EXAMPLE_TIMEOUT_MS);

    it.skipIf(devDataDir === null)('uses the card of a bundle (preset, statistics, thresholds)', async () => {
      const r = await runExample('custom-pipeline.ts', ['--track', 'Shadows', '--audio', 'drums', '--seconds', '3', '--bundle', crnnDir, '--backend', 'wasm'], {
        ADTKIT_DEV_DATA: devDataDir!,
      });
      expect(r.code, context(r)).toBe(0);
      expect(r.stdout).toContain(`model: bundle ${crnnDir} (crnn, random-crnn, trained on nothing (random weights))`);
      expect(r.stdout).toContain('Shadows.drums.flac (3.00 s at 44100 Hz)');
      expect(r.stdout).toMatch(/^micro F1 \d\.\d{3}/m);
    }, EXAMPLE_TIMEOUT_MS);

    it.skipIf(devDataDir === null)('fails with one clear line for an unknown track', async () => {
      const r = await runExample('custom-pipeline.ts', ['--track', 'NoSuchTrack'], { ADTKIT_DEV_DATA: devDataDir! });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^custom-pipeline: no track "NoSuchTrack" \(--audio mix\) in /m);
    }, EXAMPLE_TIMEOUT_MS);
  });

});

it('every example is run here, or by the training suite (train-*.ts)', () => {
  const covered = ['peak-pick-and-score.ts', 'custom-pipeline.ts', 'transcribe-file.ts'];
  const examples = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.ts'));
  expect(examples.filter((f) => !covered.includes(f) && !f.startsWith('train-'))).toEqual([]);
  for (const name of covered) expect(examples, name).toContain(name);
});
