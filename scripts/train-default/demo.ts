/**
 * Makes the README's demo file examples/audio/demo.wav (+ demo.txt): renders example 30 of the
 * synthetic generator with seed "demo" (a seed never used for training data, which uses seed 1)
 * — a rock groove with accompaniment, FluidR3Mono "Power 1" kit — and keeps its first 18 s
 * (0.5 s fade-out; onsets inside the fade are dropped from the annotation). 16-bit mono 44.1 kHz.
 *
 *   npx tsx scripts/train-default/demo.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, parseTextAnnotations, readAudioFile, DEFAULT_MAPPING } from '../../src/io/index.js';

const SEED = 'demo';
const INDEX = 30;
const KEEP_SECONDS = 18;
const FADE_SECONDS = 0.5;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'adtkit-demo-'));
  try {
    const r = spawnSync('npx', ['tsx', 'scripts/synth/generate.ts', '--out', dir, '--seed', SEED, '--start', String(INDEX), '--count', '1'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`generate.ts failed with status ${r.status}`);
    const id = String(INDEX).padStart(5, '0');
    const audio = await readAudioFile(join(dir, `${id}.wav`));
    const rate = audio.sampleRate;
    const n = Math.min(audio.channels[0].length, Math.round(KEEP_SECONDS * rate));
    const out = audio.channels[0].slice(0, n);
    const fade = Math.round(FADE_SECONDS * rate);
    for (let i = 0; i < fade; i++) out[n - fade + i] *= 1 - i / fade;
    writeFileSync('examples/audio/demo.wav', encodeWav({ channels: [out], sampleRate: rate }, { bitDepth: 16 }));
    const text = readFileSync(join(dir, `${id}.txt`), 'utf8');
    // Lines are `time<TAB>label`, sorted by time.
    const kept = text.split('\n').filter((line) => line.trim() !== '' && Number(line.split('\t')[0]) < KEEP_SECONDS - FADE_SECONDS);
    // Check that the kept lines parse with the default vocabulary.
    parseTextAnnotations(kept.join('\n'), { mapping: DEFAULT_MAPPING, file: 'demo.txt' });
    writeFileSync('examples/audio/demo.txt', kept.join('\n') + '\n');
    const meta = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as Record<string, unknown>;
    writeFileSync('examples/audio/demo.json', JSON.stringify({ trimmedToSeconds: KEEP_SECONDS, fadeOutSeconds: FADE_SECONDS, ...meta }, null, 1) + '\n');
    console.log(`demo.wav: ${(n / rate).toFixed(2)} s, ${kept.length} onsets`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
