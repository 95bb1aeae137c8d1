/**
 * Reference tests for annotations → frame targets against fixtures/labels.json and
 * fixtures/mappings.json (thesis io/load.py and io/mapping.py). Every case of the manifest
 * runs; targets must match exactly.
 */
import { writeMidi, type MidiEvent } from 'midi-file';
import { describe, expect, it } from 'vitest';
import { AdtError, AnnotationError, UnknownLabelError } from '../src/errors.js';
import {
  ENST_MAPPING,
  MDB_MAPPING,
  THESIS_GM_MAPPING,
  THESIS_ROLAND_MAPPING,
  classIndexOfPitch,
  eventsToTargets,
  parseMidiAnnotations,
  parseTextAnnotations,
  widenTargets,
  type ClassMapping,
} from '../src/io/index.js';
import type { DrumEvent } from '../src/types.js';
import { DEFAULT_CLASS_NAMES } from '../src/types.js';
import { loadArray, readManifest, type ArraySpec } from './helpers/fixtures.js';

/** The reference's mapping names (keys of mappings.json) → adtkit's built-in tables. */
const REFERENCE_MAPPINGS: Record<string, ClassMapping> = {
  MIDI_MAPPING: THESIS_GM_MAPPING,
  ROLAND_MIDI_MAPPING: THESIS_ROLAND_MAPPING,
  ENST_MAPPING,
  MDB_MAPPING,
};

interface LabelCase {
  name: string;
  function: 'readAnnotations' | 'readMidi';
  mapping: string;
  num_frames: number;
  num_labels: number;
  file_text_lines?: string[];
  notes?: { onset_sec: number; onset_sec_float32: number; pitch: number }[];
  target: ArraySpec | null;
  nonzero?: [number, number, number][];
  vocabulary?: number[];
  printed?: string[];
  error: { type: string; message: string } | null;
}

const labels = readManifest<{ cases: LabelCase[]; mappings_file?: string }>('labels.json');
const mappingsJson = readManifest<{ classes: string[]; mappings: Record<string, Record<string, number | null>> }>(
  labels.mappings_file ?? 'mappings.json',
);

function mappingFor(c: LabelCase): ClassMapping {
  const m = REFERENCE_MAPPINGS[c.mapping];
  if (m === undefined) throw new Error(`case ${c.name}: no adtkit counterpart for reference mapping ${c.mapping}`);
  return m;
}

function nonzeroTriples(data: Float32Array, classes: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) out.push([Math.floor(i / classes), i % classes, data[i]]);
  return out;
}

function expectTargetsEqual(c: LabelCase, events: DrumEvent[]): void {
  const raw = eventsToTargets(events, { numFrames: c.num_frames, outOfRange: 'error' });
  expect(raw.classes).toBe(c.num_labels);
  const widened = widenTargets(raw);
  const expected = loadArray(c.target!);
  expect(expected.shape).toEqual([c.num_frames, c.num_labels]);
  expect(widened.frames).toBe(c.num_frames);
  // exact comparison, element by element (first mismatch reported)
  const mismatches: string[] = [];
  for (let i = 0; i < expected.data.length && mismatches.length < 5; i++) {
    if (widened.data[i] !== expected.data[i]) {
      mismatches.push(`frame ${Math.floor(i / c.num_labels)} class ${i % c.num_labels}: got ${widened.data[i]}, expected ${expected.data[i]}`);
    }
  }
  expect(mismatches, c.name).toEqual([]);
  if (c.nonzero !== undefined) expect(nonzeroTriples(widened.data, widened.classes)).toEqual(c.nonzero);
}

/** Checks that `run` throws what adtkit throws for the reference's error. */
function expectReferenceError(c: LabelCase, run: () => unknown): void {
  const err = c.error!;
  let thrown: unknown;
  try {
    run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${c.name}: the reference raised ${err.type}: ${err.message}`).toBeInstanceOf(AdtError);
  const e = thrown as AdtError;
  if (err.type === 'RuntimeError' && /found index/.test(err.message)) {
    // torch: "size is inconsistent with indices: for dim 0, size is 400 but found index 400"
    const [, size, index] = /size is (\d+) but found index (\d+)/.exec(err.message)!;
    expect(e).toBeInstanceOf(AnnotationError);
    expect(e.code).toBe('INVALID_ANNOTATION');
    expect(e.message).toContain(`size is ${size} but found index ${index}`);
  } else if (err.type === 'KeyError') {
    expect(e).toBeInstanceOf(UnknownLabelError);
    expect(e.code).toBe('UNKNOWN_LABEL');
    expect(e.message).toContain(err.message.replace(/^'|'$/g, ''));
  } else if (err.type === 'ValueError') {
    expect(e).toBeInstanceOf(AnnotationError);
    expect(e.code).toBe('INVALID_ANNOTATION');
  } else {
    throw new Error(`${c.name}: no adtkit equivalent known for reference error ${err.type}: ${err.message}`);
  }
}

/** Smallest number of decimals d with round(x·10^d) / 10^d === x (so x is a whole number of 10^-d s). */
function decimalsOf(x: number): number {
  for (let d = 0; d <= 10; d++) if (Math.round(x * 10 ** d) / 10 ** d === x) return d;
  throw new Error(`onset ${x} has more than 10 decimals`);
}

/**
 * Builds a Standard MIDI File whose ticks are exactly 10^-d s (ticks per beat 10^k,
 * k = min(d, 4), tempo 10^(k + 6 - d) µs per beat), so that every onset is a whole tick and
 * the reader's one division gives the double nearest to the decimal onset.
 */
function midiFromNotes(notes: { onset_sec: number; pitch: number }[], format: 0 | 1): { bytes: Uint8Array; ticksPerSecond: number } {
  const d = Math.max(0, ...notes.map((n) => decimalsOf(n.onset_sec)));
  const k = Math.min(d, 4);
  const tpb = 10 ** k;
  const uspb = 10 ** (k + 6 - d);
  const ticksPerSecond = 10 ** d;
  const timeline: { tick: number; ev: MidiEvent }[] = [];
  notes.forEach((n) => {
    const tick = Math.round(n.onset_sec * ticksPerSecond);
    timeline.push({ tick, ev: { deltaTime: 0, type: 'noteOn', channel: 9, noteNumber: n.pitch, velocity: 100 } });
    timeline.push({ tick: tick + 1, ev: { deltaTime: 0, type: 'noteOff', channel: 9, noteNumber: n.pitch, velocity: 0 } });
  });
  timeline.sort((a, b) => a.tick - b.tick);
  const noteTrack: MidiEvent[] = [];
  let last = 0;
  for (const { tick, ev } of timeline) {
    noteTrack.push({ ...ev, deltaTime: tick - last } as MidiEvent);
    last = tick;
  }
  noteTrack.push({ deltaTime: 0, meta: true, type: 'endOfTrack' });
  const tempo: MidiEvent = { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: uspb };
  const tracks =
    format === 0
      ? [[tempo, ...noteTrack]]
      : [[tempo, { deltaTime: 0, meta: true, type: 'endOfTrack' } as MidiEvent], noteTrack];
  const bytes = Uint8Array.from(writeMidi({ header: { format, numTracks: tracks.length, ticksPerBeat: tpb }, tracks }));
  return { bytes, ticksPerSecond };
}

describe('built-in mappings equal fixtures/mappings.json', () => {
  it('uses the reference class order', () => {
    expect(mappingsJson.classes.length).toBe(DEFAULT_CLASS_NAMES.length);
    expect(mappingsJson.classes.map((c) => /\((\d+)\)/.exec(c)![1])).toEqual(DEFAULT_CLASS_NAMES.map((_, i) => String(i)));
  });

  for (const [key, table] of Object.entries(mappingsJson.mappings)) {
    it(`${key}`, () => {
      const mapping = REFERENCE_MAPPINGS[key];
      expect(mapping, `no adtkit counterpart for ${key}`).toBeDefined();
      expect(mapping.classNames).toEqual(DEFAULT_CLASS_NAMES);
      const isPitchTable = Object.keys(table).every((k) => /^\d+$/.test(k));
      const ours = isPitchTable ? mapping.pitches : mapping.labels;
      const asIndices: Record<string, number | null> = {};
      for (const [k, cls] of Object.entries(ours)) asIndices[k] = cls === null ? null : mapping.classNames.indexOf(cls);
      expect(asIndices).toEqual(table);
    });
  }
});

describe('labels.json', () => {
  it('has cases', () => {
    expect(labels.cases.length).toBeGreaterThan(0);
  });

  for (const c of labels.cases) {
    if (c.function === 'readAnnotations') {
      it(`${c.name} (readAnnotations, ${c.mapping})`, () => {
        const text = c.file_text_lines!.join('\n') + '\n';
        const mapping = mappingFor(c);
        const run = () => {
          const { events } = parseTextAnnotations(text, { mapping, file: `${c.name}.txt` });
          return { events, targets: widenTargets(eventsToTargets(events, { numFrames: c.num_frames, outOfRange: 'error' })) };
        };
        if (c.error != null) {
          expectReferenceError(c, run);
          return;
        }
        const { events } = parseTextAnnotations(text, { mapping, file: `${c.name}.txt` });
        expect(events.length).toBe(c.file_text_lines!.filter((l) => l.trim().length > 0).length);
        expectTargetsEqual(c, events);
      });
    } else if (c.function === 'readMidi') {
      describe(`${c.name} (readMidi, ${c.mapping})`, () => {
        const mapping = mappingFor(c);
        const notes = c.notes!;

        it('notes fed directly: float32 onset times → targets', () => {
          const events: DrumEvent[] = [];
          for (const n of notes) {
            // the fixture's float32 times are what Math.fround gives
            expect(Math.fround(n.onset_sec)).toBe(n.onset_sec_float32);
            const cls = classIndexOfPitch(mapping, n.pitch);
            if (cls === undefined || cls === null) continue;
            events.push({ timeSeconds: n.onset_sec_float32, classIndex: cls });
          }
          if (c.error != null) {
            expectReferenceError(c, () => eventsToTargets(events, { numFrames: c.num_frames, outOfRange: 'error' }));
            return;
          }
          expectTargetsEqual(c, events);
        });

        for (const format of [0, 1] as const) {
          it(`real MIDI file (format ${format}) parsed back: times, vocabulary, printed, targets`, () => {
            const { bytes } = midiFromNotes(notes, format);
            const warnings: string[] = [];
            const exact = parseMidiAnnotations(bytes, { mapping, file: `${c.name}.mid` });
            const compat = parseMidiAnnotations(bytes, { mapping, file: `${c.name}.mid`, timePrecision: 'float32', onWarning: (w) => warnings.push(w) });
            // onset times: float64 within 1e-6 of the notes, float32 equal to partitura's
            const kept = notes.filter((n) => {
              const cls = classIndexOfPitch(mapping, n.pitch);
              return cls !== undefined && cls !== null;
            });
            const byTime = [...kept].sort((a, b) => a.onset_sec - b.onset_sec);
            expect(exact.events.map((e) => e.pitch).sort()).toEqual(byTime.map((n) => n.pitch).sort());
            exact.events.forEach((e, i) => {
              expect(Math.abs(e.timeSeconds - byTime[i].onset_sec)).toBeLessThanOrEqual(1e-6);
              expect(e.velocity).toBeCloseTo(100 / 127, 12);
              expect(e.channel).toBe(10);
            });
            compat.events.forEach((e, i) => expect(e.timeSeconds).toBe(byTime[i].onset_sec_float32));
            if (c.vocabulary !== undefined) expect(compat.knownPitches).toEqual(c.vocabulary);
            if (c.printed !== undefined) {
              expect(compat.unknownPitches.map((u) => `Encountered invalid pitch ${u.pitch}`)).toEqual(c.printed);
              expect(warnings.length).toBe(c.printed.length);
            }
            if (c.error != null) {
              expectReferenceError(c, () => eventsToTargets(compat.events, { numFrames: c.num_frames, outOfRange: 'error' }));
              return;
            }
            expectTargetsEqual(c, compat.events);
          });
        }
      });
    } else {
      it(`${(c as LabelCase).name}: unknown function`, () => {
        throw new Error(`labels.json case ${(c as LabelCase).name} has unknown function ${(c as LabelCase).function}`);
      });
    }
  }
});
