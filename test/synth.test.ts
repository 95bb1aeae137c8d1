/**
 * Synthetic training-data generator (scripts/synth): the deterministic parts (seeded streams,
 * drum and accompaniment generation, MIDI and annotation building) without fluidsynth, then —
 * only where fluidsynth and a font are installed — the onset-delay model and byte-identical
 * re-rendering.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMidiAnnotations, parseTextAnnotations, readAudioFile, THESIS_GM_MAPPING } from '../src/io/index.js';
import { alignment } from '../scripts/synth/check.js';
import { buildExample, countLabels, formatAnnotations, MERGE_SECONDS, planExample, renderExample } from '../scripts/synth/example.js';
import { drumFontPath, FONTS, fontById, fontPath, isRedistributable, loadKits, patchPresetBanks, RESEARCH_FONTS, RESEARCH_KITS } from '../scripts/synth/fonts.js';
import { AUX_PERCUSSION, LABELS, NOTE_TO_LABEL } from '../scripts/synth/gm.js';
import { secondsToTicks, tempoFromBpm, ticksToSeconds } from '../scripts/synth/midi.js';
import { FLUID_BLOCK_SAMPLES, fluidsynthOnsetSample, fluidsynthVersion, SAMPLE_RATE } from '../scripts/synth/render.js';
import { Rng } from '../scripts/synth/rng.js';
import { readManifest } from './helpers/fixtures.js';
import { measureLatency } from '../scripts/synth/latency.js';
import { mixExample, overdrive, rmsOf } from '../scripts/synth/mix.js';
import { planVocals, renderVocals } from '../scripts/synth/vocals.js';
import { addSympatheticWash, splitCymbalNotes, washClips } from '../scripts/synth/kitRealism.js';

const kits = loadKits();
const env = { kits };

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one otherwise', () => {
    const draw = (seed: string) => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw('a/1')).toEqual(draw('a/1'));
    expect(draw('a/1')).not.toEqual(draw('a/2'));
  });

  it('forks without advancing the parent', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    a.fork('x').next();
    expect(a.next()).toBe(b.next());
    expect(new Rng(5).fork('x').next()).not.toBe(new Rng(5).fork('y').next());
  });

  it('keeps draws inside their ranges', () => {
    const r = new Rng('ranges');
    for (let i = 0; i < 2000; i++) {
      const n = r.int(-3, 4);
      expect(Number.isInteger(n) && n >= -3 && n <= 4).toBe(true);
      const u = r.uniform(2, 3);
      expect(u >= 2 && u < 3).toBe(true);
    }
  });
});

describe('GM note mapping', () => {
  it('agrees with the thesis GM mapping fixture for every generated key, and leaves auxiliary percussion unlabelled', () => {
    const fixture = readManifest<{ mappings: { MIDI_MAPPING: Record<string, number | null> } }>('mappings.json').mappings.MIDI_MAPPING;
    for (const [note, label] of Object.entries(NOTE_TO_LABEL)) {
      expect(fixture[note], `key ${note}`).toBe(LABELS.indexOf(label));
    }
    for (const note of Object.values(AUX_PERCUSSION)) {
      // Tambourine (version 3 only): the thesis mapping calls it HH, the annotations do not
      // (as MDB Drums and ADTOF's mapping), so it is the one aux key the thesis table labels.
      if (note === AUX_PERCUSSION.tambourine) expect(fixture[String(note)]).toBe(LABELS.indexOf('HH'));
      else expect(fixture[String(note)], `aux key ${note}`).toBeNull();
      expect(NOTE_TO_LABEL[note], `aux key ${note}`).toBeUndefined();
    }
  });
});

describe('fluidsynth onset model', () => {
  it('puts every onset on the 64-sample block grid, 0.5–3.7 ms after the MIDI time, in order', () => {
    for (const bpm of [60, 97.3, 128, 200]) {
      const tempo = tempoFromBpm(bpm, 4);
      let previous = -1;
      for (let tick = 0; tick < 20000; tick += 37) {
        const sample = fluidsynthOnsetSample(tick, tempo);
        expect(sample % FLUID_BLOCK_SAMPLES).toBe(0);
        const delayMs = (sample / SAMPLE_RATE - ticksToSeconds(tick, tempo)) * 1000;
        expect(delayMs).toBeGreaterThanOrEqual(0.5);
        expect(delayMs).toBeLessThanOrEqual(3.7);
        expect(sample).toBeGreaterThanOrEqual(previous);
        previous = sample;
      }
    }
  });
});

describe('planExample / buildExample (no fluidsynth)', () => {
  it('gives identical plans, MIDI bytes and annotations for the same seed and index', () => {
    for (const index of [0, 1, 17]) {
      const a = buildExample(planExample(42, index, env));
      const b = buildExample(planExample(42, index, env));
      expect(formatAnnotations(a.annotations)).toBe(formatAnnotations(b.annotations));
      expect(Buffer.from(a.drumsMidi).equals(Buffer.from(b.drumsMidi))).toBe(true);
      expect(a.accompanimentMidi === null ? null : Buffer.from(a.accompanimentMidi).toString('hex'))
        .toBe(b.accompanimentMidi === null ? null : Buffer.from(b.accompanimentMidi).toString('hex'));
      expect(planExample(42, index, env)).toEqual(planExample(42, index, env));
    }
    expect(formatAnnotations(buildExample(planExample(42, 0, env)).annotations))
      .not.toBe(formatAnnotations(buildExample(planExample(43, 0, env)).annotations));
  });

  it('writes sorted, valid, in-range annotations that the adtkit text parser reads back', () => {
    for (let index = 0; index < 12; index++) {
      const plan = planExample('annotations', index, env);
      const { annotations } = buildExample(plan);
      expect(annotations.length).toBeGreaterThan(20);
      const lastOfLabel = new Map<string, number>();
      for (let i = 0; i < annotations.length; i++) {
        const a = annotations[i];
        expect(LABELS).toContain(a.label);
        expect(a.timeSeconds).toBeGreaterThanOrEqual(0);
        expect(a.timeSeconds).toBeLessThan(plan.durationSeconds);
        if (i > 0) expect(a.timeSeconds).toBeGreaterThanOrEqual(annotations[i - 1].timeSeconds);
        const last = lastOfLabel.get(a.label);
        if (last !== undefined) expect(a.timeSeconds - last).toBeGreaterThanOrEqual(MERGE_SECONDS - 1e-9);
        lastOfLabel.set(a.label, a.timeSeconds);
      }
      const parsed = parseTextAnnotations(formatAnnotations(annotations));
      expect(parsed.events.length).toBe(annotations.length);
      expect(parsed.skipped).toEqual([]);
    }
  });

  it('annotates exactly the labelled note-ons of the drum MIDI (read by adtkit), delayed by fluidsynth\'s block scheduling', () => {
    for (let index = 0; index < 6; index++) {
      const plan = planExample('midi', index, env);
      const built = buildExample(plan);
      const midi = parseMidiAnnotations(built.drumsMidi, { mapping: THESIS_GM_MAPPING });
      expect(midi.unknownPitches).toEqual([]);
      // Rebuild the annotations from the MIDI file alone: per class, merge onsets < 25 ms apart.
      const expected: { time: number; label: string }[] = [];
      const last = new Map<string, number>();
      const events = midi.events.map((e) => ({ midiTime: e.timeSeconds, label: e.className! }))
        .map((e) => ({ ...e, time: fluidsynthOnsetSample(secondsToTicks(e.midiTime, plan.tempo), plan.tempo) / SAMPLE_RATE }))
        .sort((a, b) => a.time - b.time || LABELS.indexOf(a.label as never) - LABELS.indexOf(b.label as never));
      for (const e of events) {
        const previous = last.get(e.label);
        const delayMs = (e.time - e.midiTime) * 1000;
        expect(delayMs).toBeGreaterThanOrEqual(0.5);
        expect(delayMs).toBeLessThanOrEqual(3.7);
        if (previous !== undefined && e.time - previous < MERGE_SECONDS) continue;
        last.set(e.label, e.time);
        expected.push({ time: e.time, label: e.label });
      }
      expect(built.annotations.map((a) => `${a.timeSeconds.toFixed(6)} ${a.label}`)).toEqual(expected.map((e) => `${e.time.toFixed(6)} ${e.label}`));
    }
  });

  it('produces all five classes at realistic rates over many examples', () => {
    const n = 80;
    const totals = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<string, number>;
    const examplesWith = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<string, number>;
    const styles = new Set<string>();
    let drumsOnly = 0;
    for (let index = 0; index < n; index++) {
      const plan = planExample('stats', index, env);
      styles.add(plan.style);
      if (plan.drumsOnly) drumsOnly++;
      const counts = countLabels(buildExample(plan).annotations);
      for (const l of LABELS) {
        totals[l] += counts[l];
        if (counts[l] > 0) examplesWith[l]++;
      }
    }
    const all = LABELS.reduce((a, l) => a + totals[l], 0);
    const share = (l: string) => totals[l] / all;
    // Real music (MDB Drums, ADTOF): HH and KD most frequent, TT rarest; the generator keeps
    // that order but gives toms and cymbals more weight so the model sees enough of them.
    expect(share('KD')).toBeGreaterThan(0.18);
    expect(share('KD')).toBeLessThan(0.36);
    expect(share('SD')).toBeGreaterThan(0.12);
    expect(share('SD')).toBeLessThan(0.3);
    expect(share('TT')).toBeGreaterThan(0.03);
    expect(share('TT')).toBeLessThan(0.12);
    expect(share('HH')).toBeGreaterThan(0.2);
    expect(share('HH')).toBeLessThan(0.45);
    expect(share('CY')).toBeGreaterThan(0.08);
    expect(share('CY')).toBeLessThan(0.25);
    for (const l of LABELS) expect(examplesWith[l] / n, `share of examples with ${l}`).toBeGreaterThan(l === 'TT' ? 0.6 : 0.8);
    expect(styles.size).toBeGreaterThanOrEqual(12);
    expect(drumsOnly / n).toBeGreaterThan(0.03);
    expect(drumsOnly / n).toBeLessThan(0.35);
  });

  it('draws tempos, durations and drum/accompaniment levels inside the documented ranges', () => {
    for (let index = 0; index < 40; index++) {
      const plan = planExample('ranges', index, env);
      const bpm = 60e6 / plan.tempo.microsecondsPerBeat;
      expect(bpm).toBeGreaterThanOrEqual(58 - 0.01);
      expect(bpm).toBeLessThanOrEqual(200.01);
      expect(plan.durationSeconds).toBeGreaterThanOrEqual(20);
      expect(plan.durationSeconds).toBeLessThanOrEqual(40);
      expect(plan.mix.drumToAccompanimentDb).toBeGreaterThanOrEqual(-12);
      expect(plan.mix.drumToAccompanimentDb).toBeLessThanOrEqual(6);
      expect(kits).toContainEqual(plan.kit);
    }
  });
});

describe('generator version 2 (voice, overdrive, louder accompaniment)', () => {
  it('leaves version-1 plans unchanged and changes only the version-2 additions', () => {
    for (let index = 0; index < 30; index++) {
      const v1 = planExample(7, index, env);
      const v2 = planExample(7, index, { ...env, generatorVersion: 2 });
      expect(v1.generatorVersion).toBe(1);
      expect(v1.realism).toBeNull();
      expect(v2.generatorVersion).toBe(2);
      // Drums, accompaniment and every other mixing draw are the same; annotations too.
      expect(v2.drums).toEqual(v1.drums);
      expect(v2.accompaniment).toEqual(v1.accompaniment);
      expect({ ...v2.mix, drumToAccompanimentDb: 0 }).toEqual({ ...v1.mix, drumToAccompanimentDb: 0 });
      expect(formatAnnotations(buildExample(v2).annotations)).toBe(formatAnnotations(buildExample(v1).annotations));
      if (v2.drumsOnly) expect(v2.realism).toBeNull();
      else {
        expect(v2.mix.drumToAccompanimentDb).toBeGreaterThanOrEqual(-15);
        expect(v2.mix.drumToAccompanimentDb).toBeLessThanOrEqual(3);
        expect(planExample(7, index, { ...env, generatorVersion: 2 })).toEqual(v2);
      }
    }
    const withVoice = Array.from({ length: 40 }, (_, i) => planExample(8, i, { ...env, generatorVersion: 2 })).filter((p) => p.realism?.vocals);
    expect(withVoice.length).toBeGreaterThan(10);
  });

  it('version 3 adds unlabelled shakers and tambourines only: same annotations as version 1, more aux notes', () => {
    let boosted = 0;
    let tambourines = 0;
    for (let index = 0; index < 30; index++) {
      const v1 = planExample(9, index, env);
      const v3 = planExample(9, index, { ...env, generatorVersion: 3 });
      expect(v3.generatorVersion).toBe(3);
      expect(v3.realism).toBeNull();
      expect(v3.accompaniment).toEqual(v1.accompaniment);
      expect(v3.mix).toEqual(v1.mix);
      expect(formatAnnotations(buildExample(v3).annotations)).toBe(formatAnnotations(buildExample(v1).annotations));
      const aux = new Set<number>(Object.values(AUX_PERCUSSION));
      const count = (p: typeof v1) => p.drums.hits.filter((h) => aux.has(h.note)).length;
      expect(count(v3)).toBeGreaterThanOrEqual(count(v1));
      // Every version-1 hit is still there.
      expect(v3.drums.hits.filter((h) => !aux.has(h.note))).toEqual(v1.drums.hits.filter((h) => !aux.has(h.note)));
      if (count(v3) > count(v1)) boosted++;
      tambourines += v3.drums.hits.filter((h) => h.note === AUX_PERCUSSION.tambourine).length;
    }
    expect(boosted).toBeGreaterThan(8);
    expect(tambourines).toBeGreaterThan(0);
  });

  it('version 4 is version 3 plus kit realism: same MIDI and annotations, cymbal offsets and washes drawn in range', () => {
    let offsets = 0;
    let washes = 0;
    for (let index = 0; index < 40; index++) {
      const v3 = planExample(9, index, { ...env, generatorVersion: 3 });
      const v4 = planExample(9, index, { ...env, generatorVersion: 4 });
      expect(v3.kitRealism).toBeNull();
      expect(v4.generatorVersion).toBe(4);
      expect({ ...v4, generatorVersion: 3, kitRealism: null }).toEqual(v3);
      const [b3, b4] = [buildExample(v3), buildExample(v4)];
      expect(Buffer.from(b4.drumsMidi).equals(Buffer.from(b3.drumsMidi))).toBe(true);
      expect(formatAnnotations(b4.annotations)).toBe(formatAnnotations(b3.annotations));
      const k = v4.kitRealism!;
      if (k.cymbalOffsetDb !== null) {
        offsets++;
        expect(k.cymbalOffsetDb).toBeGreaterThanOrEqual(-24);
        expect(k.cymbalOffsetDb).toBeLessThanOrEqual(-4);
      }
      if (k.wash) {
        washes++;
        expect(k.wash.levelDb).toBeGreaterThanOrEqual(-30);
        expect(k.wash.levelDb).toBeLessThanOrEqual(-14);
        expect(k.wash.attackSeconds).toBeGreaterThanOrEqual(0.008);
      }
    }
    expect(offsets).toBeGreaterThan(12);
    expect(offsets).toBeLessThan(36);
    expect(washes).toBeGreaterThan(8);
    expect(washes).toBeLessThan(32);
  });

  it('splits the cymbal stem by label and adds a slow, velocity-scaled, deterministic wash after each hit only', () => {
    const notes = [49, 36, 51, 42, 38, 57, 46, 55].map((note, i) => ({ tick: i * 10, durationTicks: 5, channel: 9, note, velocity: 100 }));
    const { cymbals, rest } = splitCymbalNotes(notes);
    expect(cymbals.map((n) => n.note)).toEqual([49, 51, 57, 55]);
    expect(rest.map((n) => n.note)).toEqual([36, 42, 38, 46]);
    for (const n of cymbals) expect(NOTE_TO_LABEL[n.note]).toBe('CY');

    const sr = SAMPLE_RATE;
    const wash = { levelDb: -20, attackSeconds: 0.02, seconds: 0.8, seed: 1234 };
    const clips = washClips(wash, sr);
    expect(clips).toHaveLength(3);
    for (const c of clips) {
      expect(c.length).toBe(Math.round(0.8 * sr));
      const rms = Math.sqrt(c.reduce((a, v) => a + v * v, 0) / c.length);
      expect(rms).toBeCloseTo(1, 5);
      // Slow rise: the first 2 ms stay far below the clip's peak; it ends in silence.
      const peak = c.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(c.subarray(0, Math.round(0.002 * sr)).reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThan(0.1 * peak);
      expect(Math.abs(c[c.length - 1])).toBe(0);
    }
    const stem = () => {
      const d = new Float32Array(2 * sr);
      for (let i = 0; i < 2000; i++) d[i] = Math.sin(i / 10) * 0.5;
      return d;
    };
    const hits = [{ sample: sr / 2, velocity: 127 }, { sample: sr, velocity: 64 }];
    const [a, b] = [stem(), stem()];
    expect(addSympatheticWash(a, hits, wash, sr)).toBe(2);
    addSympatheticWash(b, hits, wash, sr);
    expect(a).toEqual(b);
    const original = stem();
    const before = Math.sqrt(original.reduce((s, v) => s + v * v, 0) / original.length);
    // Nothing changes before the first hit; after it the added signal is the clip at the planned level.
    for (let i = 0; i < sr / 2; i++) expect(a[i]).toBe(original[i]);
    const expectedGain = before * Math.pow(10, -20 / 20);
    const added = Array.from({ length: 1000 }, (_, i) => a[sr / 2 + 5000 + i] - original[sr / 2 + 5000 + i]);
    for (let i = 0; i < 1000; i++) expect(added[i]).toBeCloseTo(expectedGain * clips[0][5000 + i], 5);
    // A softer hit gets a quieter wash ((64/127)^1.5).
    // (the first hit's clip, 0.8 s long, has ended by then)
    const second = a[sr + 20000] - original[sr + 20000];
    expect(second).toBeCloseTo(expectedGain * Math.pow(64 / 127, 1.5) * clips[1][20000], 5);
    expect(addSympatheticWash(new Float32Array(100), hits, wash, sr)).toBe(0);
  });

  it('sings in key, inside the song, and renders deterministically with consonant noise above 4 kHz', () => {
    const context = { keyRoot: 2, scale: [0, 2, 4, 5, 7, 9, 11], secondsPerBeat: 0.5, beatsPerBar: 4, startSeconds: 0.5, endSeconds: 12 };
    const plan = planVocals(new Rng('voice-test'), context);
    expect(plan.syllables.length).toBeGreaterThan(5);
    for (const s of plan.syllables) {
      expect(context.scale).toContain((((s.note - 2) % 12) + 12) % 12);
      expect(s.startSeconds).toBeGreaterThan(0.4);
      expect(s.startSeconds).toBeLessThan(12);
    }
    const sr = 44100;
    const a = renderVocals(plan, 12 * sr, sr, new Rng('v'));
    const b = renderVocals(plan, 12 * sr, sr, new Rng('v'));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(rmsOf(a)).toBeGreaterThan(0);
    // An 's' onset is noise: its 20 ms before the vowel carry energy, mostly above 4 kHz.
    const s = plan.syllables.find((x) => x.onset === 's' && x.startSeconds > 0.2);
    if (s) {
      const start = Math.round(s.startSeconds * sr);
      const seg = a.slice(start - Math.round(0.05 * sr), start - Math.round(0.01 * sr));
      let diff = 0;
      for (let i = 1; i < seg.length; i++) diff += (seg[i] - seg[i - 1]) ** 2;
      // First differences weigh high frequencies: noise above 4 kHz keeps most of its energy.
      expect(diff / seg.length / (rmsOf(seg) ** 2)).toBeGreaterThan(0.5);
    }
  });

  it('overdrive keeps the RMS and adds harmonics; the voice enters the mix at its level', () => {
    const sr = 44100;
    const tone = new Float64Array(sr).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / sr));
    const driven = tone.slice();
    overdrive(driven, { preGain: 20, cabinetHz: 5000 }, sr);
    expect(rmsOf(driven)).toBeCloseTo(rmsOf(tone), 6);
    // Clipping a sine raises its crest-factor-normalized high-frequency content.
    let dTone = 0, dDriven = 0;
    for (let i = 1; i < sr; i++) { dTone += (tone[i] - tone[i - 1]) ** 2; dDriven += (driven[i] - driven[i - 1]) ** 2; }
    expect(dDriven).toBeGreaterThan(2 * dTone);
    const drums = new Float32Array(sr).fill(0);
    drums[100] = 1;
    const acc = new Float32Array(sr).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 110 * i) / sr));
    const params = { drumToAccompanimentDb: 0, drumEq: [], accompanimentEq: [], drumCompressor: null, drumReverb: null, accompanimentReverb: null, masterEq: [], masterCompressor: null, softClipDrive: null, noise: null, peakDbfs: -1 };
    const plain = mixExample({ drums, accompaniment: acc, length: sr, sampleRate: sr, params, rng: new Rng('m') });
    const voiced = mixExample({ drums, accompaniment: acc, length: sr, sampleRate: sr, params, rng: new Rng('m'), vocals: tone, vocalToAccompanimentDb: 0 });
    expect(Buffer.from(voiced.mix.buffer).equals(Buffer.from(plain.mix.buffer))).toBe(false);
  });
});

describe('research kits (not redistributable)', () => {
  it('are marked as not redistributable, unlike every font the built-in model may use', () => {
    for (const f of FONTS) expect(isRedistributable(f.id)).toBe(true);
    for (const f of RESEARCH_FONTS) {
      expect(isRedistributable(f.id)).toBe(false);
      expect(fontById(f.id)).toBe(f);
    }
    expect(isRedistributable('no-such-font')).toBe(false);
  });

  it('map the General MIDI keys onto the kit layout, keep labels consistent and take the accompaniment from a GM font', () => {
    const fontIds = [...FONTS.map((f) => f.id), ...RESEARCH_FONTS.map((f) => f.id)];
    const unplayable = [35, 48, 50, 52, 60, 61, 62, 63, 69, 70, 75, 76, 77];
    let accompanied = 0;
    for (let index = 0; index < 30; index++) {
      const plan = planExample(5, index, { kits: RESEARCH_KITS, fontIds, generatorVersion: 4 });
      expect(RESEARCH_KITS.map((k) => k.font)).toContain(plan.kit.font);
      expect(FONTS.map((f) => f.id)).toContain(plan.accompanimentFont);
      const built = buildExample(plan);
      for (const n of built.drumNotes) expect(unplayable).not.toContain(n.note);
      // Every labelled note is annotated with its own label (keys mapped before labelling).
      const labelled = built.drumNotes.filter((n) => NOTE_TO_LABEL[n.note]);
      expect(built.annotations.length).toBeLessThanOrEqual(labelled.length);
      for (const a of built.annotations) expect(NOTE_TO_LABEL[a.note]).toBe(a.label);
      // Toms survive the map (GM 48 / 50 -> the 12" tom) instead of being dropped.
      const gmToms = plan.drums.hits.filter((h) => [41, 43, 45, 47, 48, 50].includes(h.note)).length;
      if (gmToms > 0) expect(built.drumNotes.some((n) => NOTE_TO_LABEL[n.note] === 'TT')).toBe(true);
      if (plan.accompaniment) accompanied++;
    }
    expect(accompanied).toBeGreaterThan(15);
  });

  it('moves a preset to bank 128 in a SoundFont copy and rejects other files', () => {
    // A minimal RIFF sfbk: LIST pdta > phdr with one preset record (bank 0) and the EOP record.
    const record = (name: string, bank: number) => {
      const r = new Uint8Array(38);
      new TextEncoder().encodeInto(name, r);
      new DataView(r.buffer).setUint16(22, bank, true);
      return r;
    };
    const phdr = new Uint8Array([...new TextEncoder().encode('phdr'), 76, 0, 0, 0, ...record('Kit', 0), ...record('EOP', 0)]);
    const pdta = new Uint8Array([...new TextEncoder().encode('LIST'), ...new Uint8Array(new Uint32Array([4 + phdr.length]).buffer), ...new TextEncoder().encode('pdta'), ...phdr]);
    const file = new Uint8Array([...new TextEncoder().encode('RIFF'), ...new Uint8Array(new Uint32Array([4 + pdta.length]).buffer), ...new TextEncoder().encode('sfbk'), ...pdta]);
    const patched = patchPresetBanks(file, 0, 128);
    const view = new DataView(patched.buffer, patched.byteOffset);
    const firstRecord = 12 + 12 + 8;
    expect(view.getUint16(firstRecord + 22, true)).toBe(128);
    expect(view.getUint16(firstRecord + 38 + 22, true)).toBe(0); // EOP untouched
    expect(file[firstRecord + 22]).toBe(0); // the input is not modified
    let differing = 0;
    for (let i = 0; i < file.length; i++) if (file[i] !== patched[i]) differing++;
    expect(differing).toBe(1);
    expect(() => patchPresetBanks(new Uint8Array(64), 0, 128)).toThrow(/not a SoundFont 2 file/);
  });
});

const fluidsynth = fluidsynthVersion();
const fluidFont = FONTS.map((f) => ({ font: f, path: fontPath(f) })).find((f) => f.path !== null);
const renderSkip = !fluidsynth ? 'fluidsynth is not installed (apt-get install fluidsynth): skipping rendering tests'
  : !fluidFont ? 'no soundfont of scripts/synth/fonts.ts is installed (apt-get install fluid-soundfont-gm): skipping rendering tests' : '';
if (renderSkip) console.warn(renderSkip);

describe.skipIf(renderSkip !== '')('rendering with fluidsynth', () => {
  it('starts each rendered hit exactly where fluidsynthOnsetSample says', async () => {
    const hits = await measureLatency(fluidFont!.path!, 0, 36);
    for (const h of hits) expect(h.firstSampleMs).toBeCloseTo(h.predictedMs, 6);
  });

  it('renders an example byte-identically twice, with annotations on the drum stem\'s attacks', async () => {
    const kit = kits.find((k) => k.font === fluidFont!.font.id)!;
    const make = () => {
      const plan = planExample('render', 3, { kits: [kit] });
      plan.durationSeconds = 6; // keep the test fast: the notes after 6 s are dropped
      return plan;
    };
    const dirs = [mkdtempSync(join(tmpdir(), 'adtkit-synth-test-')), mkdtempSync(join(tmpdir(), 'adtkit-synth-test-'))];
    try {
      for (const dir of dirs) await renderExample(make(), { outDir: dir, stems: true });
      for (const name of ['wav', 'txt', 'drums.mid', 'drums.wav']) {
        const [a, b] = dirs.map((d) => readFileSync(join(d, `${make().id}.${name}`)));
        expect(a.equals(b), `${name} differs between two renderings`).toBe(true);
      }
      const audio = await readAudioFile(join(dirs[0], `${make().id}.wav`));
      expect(audio.sampleRate).toBe(SAMPLE_RATE);
      expect(audio.numberOfChannels).toBe(1);
      expect(audio.length).toBe(6 * SAMPLE_RATE);
      const stem = (await readAudioFile(join(dirs[0], `${make().id}.drums.wav`))).channels[0];
      const times = parseTextAnnotations(readFileSync(join(dirs[0], `${make().id}.txt`))).events.map((e) => e.timeSeconds);
      expect(times.length).toBeGreaterThan(5);
      expect(alignment(stem, SAMPLE_RATE, times).bestLagMs).toBe(0);
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!fontPath(RESEARCH_FONTS[0]))('renders a research-kit example from the bank-patched copy (needs avldrums.lv2-soundfont)', async () => {
    const font = RESEARCH_FONTS[0];
    const copy = drumFontPath(font)!;
    expect(copy).not.toBe(fontPath(font));
    expect(drumFontPath(font)).toBe(copy);
    const plan = planExample('research', 1, { kits: [RESEARCH_KITS[0]], fontIds: [...FONTS.map((f) => f.id), font.id], generatorVersion: 4 });
    plan.durationSeconds = 5;
    const dir = mkdtempSync(join(tmpdir(), 'adtkit-synth-test-'));
    try {
      await renderExample(plan, { outDir: dir, stems: true, float: true });
      const stem = (await readAudioFile(join(dir, `${plan.id}.drums.wav`))).channels[0];
      expect(rmsOf(stem)).toBeGreaterThan(1e-3);
      expect(JSON.parse(readFileSync(join(dir, `${plan.id}.json`), 'utf8')).kit.font).toBe(font.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders a version-4 example with a quieter cymbal stem and a wash: deterministic, same annotations, split stems in time', async () => {
    const kit = kits.find((k) => k.font === fluidFont!.font.id)!;
    const make = (cymbalOffsetDb: number | null, withWash: boolean) => {
      const plan = planExample('render', 3, { kits: [kit], generatorVersion: 4 });
      plan.durationSeconds = 6;
      plan.kitRealism = { cymbalOffsetDb, wash: withWash ? { levelDb: -18, attackSeconds: 0.015, seconds: 1, seed: 7 } : null };
      return plan;
    };
    const dirs = Array.from({ length: 4 }, () => mkdtempSync(join(tmpdir(), 'adtkit-synth-test-')));
    try {
      await renderExample(make(-12, true), { outDir: dirs[0], stems: true, float: true });
      await renderExample(make(-12, true), { outDir: dirs[1], stems: true, float: true });
      await renderExample(make(null, false), { outDir: dirs[2], stems: true, float: true });
      await renderExample(make(0, false), { outDir: dirs[3], stems: true, float: true });
      const id = make(null, false).id;
      const file = (d: string, n: string) => readFileSync(join(d, `${id}.${n}`));
      for (const name of ['wav', 'txt', 'drums.wav']) expect(file(dirs[0], name).equals(file(dirs[1], name)), name).toBe(true);
      expect(file(dirs[0], 'txt').equals(file(dirs[2], 'txt'))).toBe(true);
      const meta = JSON.parse(file(dirs[0], 'json').toString());
      expect(meta.generatorVersion).toBe(4);
      expect(meta.kitRealism.cymbalOffsetDb).toBe(-12);
      const realistic = (await readAudioFile(join(dirs[0], `${id}.drums.wav`))).channels[0];
      const plain = (await readAudioFile(join(dirs[2], `${id}.drums.wav`))).channels[0];
      expect(realistic.length).toBe(plain.length);
      let differs = 0;
      for (let i = 0; i < plain.length; i++) if (Math.abs(realistic[i] - plain[i]) > 1e-4) differs++;
      expect(differs).toBeGreaterThan(plain.length / 20);
      const times = parseTextAnnotations(file(dirs[0], 'txt')).events.map((e) => e.timeSeconds);
      // Split at 0 dB, the two stems sum back to the one-pass render (fluidsynth is linear up to
      // a one-block gain ramp at some voice starts, < 1% of the peak), so the split keeps the
      // annotations' timing (tested on the one-pass render above): a shift of even one 64-sample
      // block would leave a residual of the order of the signal itself.
      const split = (await readAudioFile(join(dirs[3], `${id}.drums.wav`))).channels[0];
      let energy = 0;
      let residual = 0;
      for (let i = 0; i < plain.length; i++) {
        energy += plain[i] * plain[i];
        residual += (split[i] - plain[i]) ** 2;
      }
      expect(residual).toBeLessThan(1e-4 * energy);
      expect(times.length).toBeGreaterThan(5);
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
