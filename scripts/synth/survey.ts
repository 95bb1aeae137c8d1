/**
 * Drum-kit survey: renders every labelled GM drum key on every drum-set preset of every
 * installed font (FONTS), finds keys a kit leaves silent and kits that sound identical to an
 * earlier kit of the same font, and writes kits.json (the kit list the generator draws from).
 *
 * CLI: `npx tsx scripts/synth/survey.ts [--out scripts/synth/kits.json]`  (about a minute)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installedFonts, kitFamily, KITS_JSON, type KitSpec } from './fonts.js';
import { NOTE_TO_LABEL } from './gm.js';
import { buildMidiFile, secondsToTicks, tempoFromBpm } from './midi.js';
import { fluidsynthVersion, renderMidi, SAMPLE_RATE } from './render.js';
import { readSoundFontInfo } from './sf2info.js';

const NOTES = Object.keys(NOTE_TO_LABEL).map(Number).sort((a, b) => a - b);
const SPACING_SECONDS = 1;
/** Per-key hashes of every surveyed kit (filled by surveyKits, for the distinct-sound counts). */
const allNoteHashes: { kit: string; noteHashes: Record<number, string> }[] = [];

/** Number of distinct sounds per class label over all surveyed kits (after surveyKits). */
export function distinctSoundsPerLabel(): Record<string, number> {
  const sets: Record<string, Set<string>> = {};
  for (const { noteHashes } of allNoteHashes) {
    for (const n of NOTES) {
      const label = NOTE_TO_LABEL[n];
      (sets[label] ??= new Set()).add(noteHashes[n]);
    }
  }
  return Object.fromEntries(Object.entries(sets).map(([label, set]) => [label, set.size]));
}

/** Survey result of one kit. */
export interface SurveyedKit extends KitSpec {
  /** Labelled keys that produce no sound in this kit. */
  missingNotes: number[];
  /** Peak level of each labelled key at velocity 100 [dBFS at gain 0.5], by key. */
  peakDb: Record<number, number>;
  /** Keys that sound exactly like the same key of an earlier kit of the same font. */
  sharedNotes: number[];
  /** For a kit that renders identically to an earlier one: that kit's `font:program`. */
  duplicateOf?: string;
}

async function surveyKit(fontPath: string, program: number, dir: string): Promise<{ peakDb: Record<number, number>; noteHashes: Record<number, string> }> {
  const tempo = tempoFromBpm(120, 4);
  const onsetSeconds = (i: number) => 0.5 + i * SPACING_SECONDS;
  const notes = NOTES.map((note, i) => ({
    tick: secondsToTicks(onsetSeconds(i), tempo), durationTicks: secondsToTicks(0.6, tempo), channel: 9, note, velocity: 100,
  }));
  // CC120 (all sound off) before each next key, so that every window holds one key only.
  const controllers = NOTES.map((_, i) => ({ tick: secondsToTicks(onsetSeconds(i) + SPACING_SECONDS - 0.05, tempo), channel: 9, controller: 120, value: 0 }));
  const midiPath = join(dir, `kit${program}.mid`);
  writeFileSync(midiPath, buildMidiFile({
    tempo, channels: [{ channel: 9, program, volume: 127, pan: 64, reverbSend: 0, chorusSend: 0, name: 'kit' }], notes, controllers,
    endTick: secondsToTicks(onsetSeconds(NOTES.length), tempo),
  }));
  const audio = await renderMidi({
    midiPath, fontPath, rawPath: join(dir, `kit${program}.raw`), gain: 0.5,
    effects: { reverb: false, chorus: false, roomSize: 0, damp: 0, level: 0, width: 0 },
  });
  const peakDb: Record<number, number> = {};
  const noteHashes: Record<number, string> = {};
  NOTES.forEach((note, i) => {
    const start = Math.round((onsetSeconds(i) - 0.01) * SAMPLE_RATE);
    const window = audio.subarray(start, Math.min(audio.length, start + Math.round((SPACING_SECONDS - 0.1) * SAMPLE_RATE)));
    let peak = 0;
    for (let j = 0; j < window.length; j++) peak = Math.max(peak, Math.abs(window[j]));
    peakDb[note] = Math.round(20 * Math.log10(peak + 1e-12) * 10) / 10;
    noteHashes[note] = createHash('sha256').update(new Uint8Array(window.buffer, window.byteOffset, window.byteLength)).digest('hex').slice(0, 16);
  });
  return { peakDb, noteHashes };
}

/**
 * Surveys every drum-set preset of every installed font.
 *
 * @returns one entry per preset of a usable family (duplicates included, marked)
 */
export async function surveyKits(): Promise<SurveyedKit[]> {
  const dir = mkdtempSync(join(tmpdir(), 'adtkit-survey-'));
  const out: SurveyedKit[] = [];
  allNoteHashes.length = 0;
  try {
    for (const { font, path } of installedFonts()) {
      const seen = new Map<string, string>();
      const fontNoteHashes: Record<number, string>[] = [];
      for (const preset of readSoundFontInfo(path).presets) {
        const family = preset.bank === 128 ? kitFamily(preset.program) : null;
        if (!family) continue;
        const { peakDb, noteHashes } = await surveyKit(path, preset.program, dir);
        const hash = NOTES.map((n) => noteHashes[n]).join('');
        // Keys that sound like the same key of an earlier kit of this font.
        const sharedNotes = NOTES.filter((n) => fontNoteHashes.some((h) => h[n] === noteHashes[n]));
        fontNoteHashes.push(noteHashes);
        allNoteHashes.push({ kit: `${font.id}:${preset.program}`, noteHashes });
        // Below -60 dBFS at velocity 100 the key is silent (fluidsynth plays nothing for a key
        // outside every zone of the preset).
        const missingNotes = NOTES.filter((n) => peakDb[n] < -60);
        const kit: SurveyedKit = { font: font.id, program: preset.program, name: preset.name, family, missingNotes, newKeys: NOTES.length - sharedNotes.length, sharedNotes, peakDb };
        const earlier = seen.get(hash);
        if (earlier) kit.duplicateOf = earlier;
        else seen.set(hash, `${font.id}:${preset.program}`);
        out.push(kit);
        console.log(`${font.id} 128:${preset.program} ${preset.name}${kit.duplicateOf ? ` = ${kit.duplicateOf}` : ''}` +
          `${missingNotes.length ? ` missing ${missingNotes.join(',')}` : ''} new keys ${NOTES.length - sharedNotes.length}/${NOTES.length}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: KITS_JSON } } });
  const surveyed = await surveyKits();
  const kits = surveyed
    .filter((k) => !k.duplicateOf)
    .map(({ font, program, name, family, missingNotes, newKeys }) => ({ font, program, name, family, missingNotes, newKeys }));
  const distinct = distinctSoundsPerLabel();
  console.log('distinct sounds per class over all kits:', distinct);
  const json = {
    fluidsynth: fluidsynthVersion(),
    note: 'written by scripts/synth/survey.ts; `kits` omits kits that render identically to an earlier kit of the same font (see `surveyed`)',
    distinctSoundsPerLabel: distinct,
    kits,
    surveyed,
  };
  writeFileSync(values.out, JSON.stringify(json, null, 1) + '\n');
  console.log(`${kits.length} distinct kits of ${surveyed.length} written to ${values.out}`);
}
