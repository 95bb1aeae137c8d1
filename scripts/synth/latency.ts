/**
 * Measures the delay between a drum note's MIDI time and its onset in fluidsynth's output.
 *
 * Renders, with reverb and chorus off, single hits of `NOTE` at known tick times (1.000 s and
 * then times off the 64-sample audio block grid) and reports for each hit
 * - `firstSampleMs`: voice start (the sample before the first non-zero output sample) minus the
 *   MIDI time: the synthesizer's scheduling delay (the output is exactly zero before a hit),
 * - `predictedMs`: the same predicted by fluidsynthOnsetSample (the annotations use it), and
 * - `attackMs`: first sample whose magnitude reaches 10 % of the hit's peak, minus the MIDI
 *   time (adds the attack inside the drum sample itself).
 *
 * CLI: `npx tsx scripts/synth/latency.ts [--font PATH] [--kit PROGRAM] [--note KEY]`
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildMidiFile, secondsToTicks, tempoFromBpm, ticksToSeconds, type MidiNote } from './midi.js';
import { fluidsynthOnsetSample, renderMidi, SAMPLE_RATE } from './render.js';

/** One measured hit. */
export interface LatencyHit {
  midiSeconds: number;
  /** Onset predicted by {@link fluidsynthOnsetSample} minus the MIDI time [ms]. */
  predictedMs: number;
  firstSampleMs: number;
  attackMs: number;
}

/**
 * Renders hits of one note and measures their onsets (see the file comment).
 *
 * @param fontPath - soundfont
 * @param kitProgram - bank-128 preset
 * @param note - GM drum key
 * @returns one entry per hit
 */
export async function measureLatency(fontPath: string, kitProgram: number, note: number): Promise<LatencyHit[]> {
  const tempo = tempoFromBpm(120, 4);
  // 1.000 s, then hits 1.5 s apart shifted by fractions of a 64-sample block.
  const times = [1.0, ...Array.from({ length: 29 }, (_, i) => 2.5 + 1.5 * i + (i * 0.37 * 64) / SAMPLE_RATE)];
  const ticks = times.map((t) => secondsToTicks(t, tempo));
  const notes: MidiNote[] = ticks.map((tick) => ({ tick, durationTicks: secondsToTicks(0.5, tempo), channel: 9, note, velocity: 110 }));
  const dir = mkdtempSync(join(tmpdir(), 'adtkit-latency-'));
  try {
    const midiPath = join(dir, 'hits.mid');
    const setup = { channel: 9, program: kitProgram, volume: 127, pan: 64, reverbSend: 0, chorusSend: 0, name: 'drums' };
    writeFileSync(midiPath, buildMidiFile({ tempo, channels: [setup], notes, endTick: secondsToTicks(times[times.length - 1] + 1.2, tempo) }));
    const audio = await renderMidi({
      midiPath, fontPath, rawPath: join(dir, 'hits.raw'), gain: 0.5,
      effects: { reverb: false, chorus: false, roomSize: 0, damp: 0, level: 0, width: 0 },
    });
    return ticks.map((tick) => {
      const midiSeconds = ticksToSeconds(tick, tempo);
      const start = Math.round((midiSeconds - 0.2) * SAMPLE_RATE);
      const end = Math.min(audio.length, Math.round((midiSeconds + 0.5) * SAMPLE_RATE));
      let first = -1;
      let peak = 0;
      for (let i = start; i < end; i++) {
        const a = Math.abs(audio[i]);
        if (first < 0 && a > 0) first = i;
        if (a > peak) peak = a;
      }
      let attack = -1;
      for (let i = Math.max(first, 0); i < end; i++) {
        if (Math.abs(audio[i]) >= 0.1 * peak) {
          attack = i;
          break;
        }
      }
      const toMs = (index: number) => (index < 0 ? NaN : (index / SAMPLE_RATE - midiSeconds) * 1000);
      // The voice's first sample is 0 (the sample starts at phase 0), so the onset is one
      // sample before the first non-zero one.
      return { midiSeconds, predictedMs: toMs(fluidsynthOnsetSample(tick, tempo)), firstSampleMs: toMs(first - 1), attackMs: toMs(attack) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      font: { type: 'string', default: '/usr/share/sounds/sf2/FluidR3_GM.sf2' },
      kit: { type: 'string', default: '0' },
      note: { type: 'string', default: '36' },
    },
  });
  const hits = await measureLatency(values.font, Number(values.kit), Number(values.note));
  for (const h of hits) {
    console.log(`midi ${h.midiSeconds.toFixed(6)} s  voice start ${h.firstSampleMs.toFixed(3)} ms  predicted ${h.predictedMs.toFixed(3)} ms  10%-of-peak ${h.attackMs.toFixed(3)} ms`);
  }
  const mean = (f: (h: LatencyHit) => number) => hits.reduce((a, h) => a + f(h), 0) / hits.length;
  const exact = hits.filter((h) => Math.abs(h.firstSampleMs - h.predictedMs) < 1e-6).length;
  console.log(`mean voice-start delay ${mean((h) => h.firstSampleMs).toFixed(3)} ms, mean 10%-of-peak delay ${mean((h) => h.attackMs).toFixed(3)} ms; ` +
    `prediction exact for ${exact}/${hits.length} hits`);
}
