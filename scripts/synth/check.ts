/**
 * Statistics of a generated data directory, as a listening check one can read:
 * per example and in total the peak and RMS level, onsets per class, and — where the drum
 * stems exist (`--stems`) — how well the annotations line up with the drum stem's attacks:
 * the lag [ms] that maximizes the mean energy rise around the annotated times (0 means the
 * annotations sit exactly on the attacks), and the share of annotations at which the stem's
 * energy rises by at least 3 dB within 5 ms.
 *
 * CLI: `npx tsx scripts/synth/check.ts DIR`
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAudioFile } from '../../src/io/audio/index.js';
import { LABELS, type Label } from './gm.js';

/** Parsed annotation file. */
export function readAnnotations(text: string): { timeSeconds: number; label: string }[] {
  return text.split('\n').filter((l) => l.trim().length > 0).map((l) => {
    const [t, label] = l.split('\t');
    return { timeSeconds: Number(t), label: label.trim() };
  });
}

/** Mean log-energy rise around the given times at each lag; best lag and detected share. */
export function alignment(stem: Float32Array, sampleRate: number, timesSeconds: readonly number[]): { bestLagMs: number; risePerLagDb: number[]; detectedShare: number } {
  const win = Math.round(0.005 * sampleRate);
  const energy = (from: number, to: number) => {
    let e = 1e-12;
    for (let i = Math.max(0, from); i < Math.min(stem.length, to); i++) e += stem[i] * stem[i];
    return e;
  };
  const lags = Array.from({ length: 21 }, (_, i) => i - 10);
  const rise = lags.map((lagMs) => {
    let sum = 0;
    for (const t of timesSeconds) {
      const n = Math.round((t + lagMs / 1000) * sampleRate);
      sum += 10 * Math.log10(energy(n, n + win) / energy(n - win, n));
    }
    return sum / Math.max(1, timesSeconds.length);
  });
  let best = 0;
  for (let i = 1; i < lags.length; i++) if (rise[i] > rise[best]) best = i;
  let detected = 0;
  for (const t of timesSeconds) {
    const n = Math.round(t * sampleRate);
    if (10 * Math.log10(energy(n, n + win) / energy(n - win, n)) >= 3) detected++;
  }
  return { bestLagMs: lags[best], risePerLagDb: rise.map((r) => Math.round(r * 10) / 10), detectedShare: detected / Math.max(1, timesSeconds.length) };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir)) throw new Error(`usage: npx tsx scripts/synth/check.ts DIR (got '${dir ?? ''}')`);
  const ids = readdirSync(dir).filter((f) => /^\d+\.wav$/.test(f)).map((f) => f.slice(0, -4)).sort();
  const totals = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  let seconds = 0;
  const lags: number[] = [];
  const detectedShares: number[] = [];
  for (const id of ids) {
    const audio = await readAudioFile(join(dir, `${id}.wav`));
    const x = audio.channels[0];
    let peak = 0;
    let sum = 0;
    let finite = true;
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) finite = false;
      peak = Math.max(peak, Math.abs(x[i]));
      sum += x[i] * x[i];
    }
    const annotations = readAnnotations(readFileSync(join(dir, `${id}.txt`), 'utf8'));
    const counts = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
    let sorted = true;
    for (let i = 0; i < annotations.length; i++) {
      const a = annotations[i];
      if (!(LABELS as readonly string[]).includes(a.label)) throw new Error(`${id}.txt line ${i + 1}: unknown label '${a.label}'`);
      counts[a.label as Label]++;
      if (i > 0 && a.timeSeconds < annotations[i - 1].timeSeconds) sorted = false;
    }
    for (const l of LABELS) totals[l] += counts[l];
    seconds += audio.durationSeconds;
    let align = '';
    const stemPath = join(dir, `${id}.drums.wav`);
    if (existsSync(stemPath)) {
      const stem = (await readAudioFile(stemPath)).channels[0];
      const a = alignment(stem, audio.sampleRate, annotations.map((e) => e.timeSeconds));
      lags.push(a.bestLagMs);
      detectedShares.push(a.detectedShare);
      align = `  best lag ${a.bestLagMs} ms, rise ≥3 dB at ${(100 * a.detectedShare).toFixed(0)}% of onsets`;
    }
    const meta = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as { style: string; kit: { name: string }; drumsOnly: boolean };
    console.log(`${id} ${meta.style.padEnd(8)} ${meta.kit.name.padEnd(11)} ${audio.durationSeconds.toFixed(1)} s peak ${(20 * Math.log10(peak)).toFixed(1)} rms ${(10 * Math.log10(sum / x.length)).toFixed(1)} dBFS ` +
      `${LABELS.map((l) => `${l} ${counts[l]}`).join(' ')}${finite ? '' : ' NON-FINITE'}${sorted ? '' : ' UNSORTED'}${align}`);
  }
  const onsets = LABELS.reduce((a, l) => a + totals[l], 0);
  console.log(`\n${ids.length} examples, ${(seconds / 60).toFixed(1)} min; onsets ${onsets}: ` +
    LABELS.map((l) => `${l} ${totals[l]} (${((100 * totals[l]) / onsets).toFixed(1)}%, ${(totals[l] / (seconds / 60)).toFixed(0)}/min)`).join(', '));
  if (lags.length > 0) {
    lags.sort((a, b) => a - b);
    console.log(`alignment over ${lags.length} stems: median best lag ${lags[Math.floor(lags.length / 2)]} ms (min ${lags[0]}, max ${lags[lags.length - 1]}); ` +
      `mean share of onsets with a ≥3 dB rise ${(100 * detectedShares.reduce((a, b) => a + b, 0) / detectedShares.length).toFixed(0)}%`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
