/**
 * MIDI annotations (tempo map, formats, channels, SMPTE, errors) and the MIDI, text and JSON
 * writers with their round trips.
 */
import { parseMidi, writeMidi, type MidiData, type MidiEvent } from 'midi-file';
import { describe, expect, it } from 'vitest';
import { AnnotationError, InvalidArgumentError, MidiError } from '../src/errors.js';
import {
  BUILTIN_MAPPINGS,
  DEFAULT_GM_DRUM_NOTES,
  ENST_MAPPING,
  EVENTS_JSON_VERSION,
  THESIS_ROLAND_MAPPING,
  defineMapping,
  eventsToJson,
  eventsToMidi,
  eventsToText,
  midiNoteMapFor,
  parseEventsJson,
  parseMidiAnnotations,
  parseTextAnnotations,
} from '../src/io/index.js';
import type { DrumEvent } from '../src/types.js';

type Timed = { tick: number; ev: Omit<MidiEvent, 'deltaTime'> };

const on = (tick: number, note: number, velocity = 100, channel = 9): Timed => ({ tick, ev: { type: 'noteOn', channel, noteNumber: note, velocity } as never });
const off = (tick: number, note: number, channel = 9): Timed => ({ tick, ev: { type: 'noteOff', channel, noteNumber: note, velocity: 0 } as never });
const tempo = (tick: number, microsecondsPerBeat: number): Timed => ({ tick, ev: { type: 'setTempo', meta: true, microsecondsPerBeat } as never });

/** Absolute-tick events → one track with delta times and an end-of-track. */
function track(events: Timed[]): MidiEvent[] {
  const sorted = [...events].sort((a, b) => a.tick - b.tick);
  let last = 0;
  const out = sorted.map(({ tick, ev }) => {
    const e = { ...ev, deltaTime: tick - last } as MidiEvent;
    last = tick;
    return e;
  });
  out.push({ deltaTime: 0, meta: true, type: 'endOfTrack' });
  return out;
}

function smf(header: Omit<MidiData['header'], 'numTracks'>, tracks: Timed[][], running = false): Uint8Array {
  return Uint8Array.from(writeMidi({ header: { ...header, numTracks: tracks.length }, tracks: tracks.map(track) }, { running }));
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

describe('parseMidiAnnotations', () => {
  it('builds the tempo map from tempo changes in another track (format 1)', () => {
    // 480 ticks per beat; 120 bpm, then 240 bpm from beat 2, then 60 bpm from beat 4
    const bytes = smf({ format: 1, ticksPerBeat: 480 }, [
      [tempo(0, 500_000), tempo(960, 250_000), tempo(1920, 1_000_000)],
      [on(0, 36), on(480, 38), on(960, 42), on(1440, 38), on(1920, 49), on(2400, 36), off(2500, 36)],
    ]);
    const r = parseMidiAnnotations(bytes);
    // hand-computed: 0; 0.5; 1.0; 1.0 + 480/480·0.25 = 1.25; 1.5; 1.5 + 1 = 2.5
    expect(r.events.map((e) => e.timeSeconds)).toEqual([0, 0.5, 1, 1.25, 1.5, 2.5]);
    expect(r.events.map((e) => e.className)).toEqual(['KD', 'SD', 'HH', 'SD', 'CY', 'KD']);
    expect(r.durationSeconds).toBeCloseTo(1.5 + 100 / 480 + 1, 12);
    expect(r.format).toBe(1);
    expect(r.ticksPerBeat).toBe(480);
  });

  it('reads tempo changes from any track and between notes (format 0, running status)', () => {
    const bytes = smf({ format: 0, ticksPerBeat: 96 }, [[on(0, 36), tempo(48, 1_000_000), on(96, 36), on(144, 38), tempo(144, 2_000_000), on(240, 42)]], true);
    // beat 0..0.5 at 0.5 s/beat = 0.25 s; then 1 s/beat: tick 96 → 0.25 + 0.5 = 0.75, tick 144 → 1.25;
    // a tempo change at the same tick as a note applies to it; then 2 s/beat: tick 240 → 1.25 + 2 = 3.25
    expect(parseMidiAnnotations(bytes).events.map((e) => e.timeSeconds)).toEqual([0, 0.75, 1.25, 3.25]);
  });

  it('uses 120 bpm when there is no tempo event', () => {
    const bytes = smf({ format: 1, ticksPerBeat: 1000 }, [[on(0, 36)], [on(1500, 38)]]);
    expect(parseMidiAnnotations(bytes).events.map((e) => e.timeSeconds)).toEqual([0, 0.75]);
  });

  it('keeps velocity, pitch and channel; reads every channel; skips velocity-0 note-ons', () => {
    const bytes = smf({ format: 0, ticksPerBeat: 480 }, [[on(0, 36, 127, 9), on(480, 38, 64, 0), on(960, 42, 0, 9), on(960, 46, 1, 3)]]);
    const r = parseMidiAnnotations(bytes);
    expect(r.events).toEqual([
      { timeSeconds: 0, classIndex: 0, className: 'KD', velocity: 1, pitch: 36, channel: 10 },
      { timeSeconds: 0.5, classIndex: 1, className: 'SD', velocity: 64 / 127, pitch: 38, channel: 1 },
      { timeSeconds: 1, classIndex: 3, className: 'HH', velocity: 1 / 127, pitch: 46, channel: 4 },
    ]);
    expect(parseMidiAnnotations(bytes, { channels: [10] }).events.map((e) => e.pitch)).toEqual([36]);
  });

  it('skips pitches mapped to null silently and reports unknown ones', () => {
    const bytes = smf({ format: 0, ticksPerBeat: 480 }, [[on(0, 100), on(10, 27), on(20, 36), on(30, 100), on(40, 22), on(50, 27)]]);
    const warnings: string[] = [];
    const r = parseMidiAnnotations(bytes, { file: 'x.mid', onWarning: (w) => warnings.push(w) });
    expect(r.events.map((e) => e.pitch)).toEqual([36]);
    expect(r.knownPitches).toEqual([27, 36]);
    expect(r.ignoredPitches).toEqual([{ pitch: 27, count: 2 }]);
    expect(r.unknownPitches).toEqual([{ pitch: 100, count: 2 }, { pitch: 22, count: 1 }]);
    expect(r.warnings).toEqual(warnings);
    expect(warnings[0]).toContain('x.mid');
    expect(warnings[0]).toContain('pitch 100');
    // the Roland table knows 22
    expect(parseMidiAnnotations(bytes, { mapping: THESIS_ROLAND_MAPPING }).events.map((e) => e.pitch)).toEqual([36, 22]);
  });

  it('rounds times to float32 on request (thesis compatibility)', () => {
    const bytes = smf({ format: 0, ticksPerBeat: 1000 }, [[tempo(0, 1_000_000), on(2245, 57)]]);
    expect(parseMidiAnnotations(bytes).events[0].timeSeconds).toBe(2.245);
    expect(parseMidiAnnotations(bytes, { timePrecision: 'float32' }).events[0].timeSeconds).toBe(Math.fround(2.245));
  });

  it('supports SMPTE time division (tempo events ignored)', () => {
    const b25 = smf({ format: 0, framesPerSecond: 25, ticksPerFrame: 40 }, [[tempo(0, 250_000), on(1234, 36)]]);
    expect(parseMidiAnnotations(b25).events[0].timeSeconds).toBeCloseTo(1.234, 12); // 1000 ticks per second
    expect(parseMidiAnnotations(b25).ticksPerBeat).toBeUndefined();
    // 29 = 29.97 drop-frame: 30 frames last 30 / 29.97 = 1.001 s
    const b29 = smf({ format: 0, framesPerSecond: 29, ticksPerFrame: 1 }, [[on(30, 36)]]);
    expect(parseMidiAnnotations(b29).events[0].timeSeconds).toBeCloseTo(1.001, 12);
  });

  it('accepts ArrayBuffers, RIFF RMID wrappers and unknown chunks', () => {
    const bytes = smf({ format: 0, ticksPerBeat: 480 }, [[on(480, 38)]]);
    expect(parseMidiAnnotations(bytes.slice().buffer).events).toHaveLength(1);
    const riff = new Uint8Array(20 + bytes.length + (bytes.length & 1));
    const dv = new DataView(riff.buffer);
    riff.set(new TextEncoder().encode('RIFF'), 0);
    dv.setUint32(4, riff.length - 8, true);
    riff.set(new TextEncoder().encode('RMIDdata'), 8);
    dv.setUint32(16, bytes.length, true);
    riff.set(bytes, 20);
    expect(parseMidiAnnotations(riff).events[0].timeSeconds).toBe(0.5);
    // an alien chunk between header and track is skipped (SMF spec)
    const alien = Uint8Array.of(0x58, 0x46, 0x49, 0x48, 0, 0, 0, 2, 1, 2);
    const withAlien = new Uint8Array([...bytes.subarray(0, 14), ...alien, ...bytes.subarray(14)]);
    expect(parseMidiAnnotations(withAlien).events[0].timeSeconds).toBe(0.5);
  });

  describe('bad input → MidiError', () => {
    const valid = smf({ format: 1, ticksPerBeat: 480 }, [[tempo(0, 600_000)], [on(0, 36), on(480, 38), off(600, 38)]]);

    it.each([
      ['empty', new Uint8Array(0), 'not a Standard MIDI File'],
      ['a WAV header', new TextEncoder().encode('RIFF\x24\0\0\0WAVEfmt '), 'not a Standard MIDI File'],
      ['text', new TextEncoder().encode('0.5\tKD\n'), 'not a Standard MIDI File'],
      ['a header only', valid.subarray(0, 10), 'truncated MIDI header'],
      ['a bad header length', Uint8Array.of(...valid.subarray(0, 4), 0, 0, 0, 2, ...valid.subarray(8)), 'bad MIDI header length'],
    ])('%s', (_, bytes, text) => {
      const e = thrown(() => parseMidiAnnotations(bytes, { file: 'bad.mid' })) as MidiError;
      expect(e).toBeInstanceOf(MidiError);
      expect(e.code).toBe('INVALID_MIDI');
      expect(e.file).toBe('bad.mid');
      expect(e.message).toContain('bad.mid');
      expect(e.message).toContain(text);
    });

    it('every truncation of a valid file', () => {
      for (let n = 0; n < valid.length; n++) {
        const e = thrown(() => parseMidiAnnotations(valid.subarray(0, n), { file: 'cut.mid' }));
        expect(e, `truncated to ${n} bytes`).toBeInstanceOf(MidiError);
      }
    });

    it('a track chunk longer than the file, naming the byte offset', () => {
      const broken = valid.slice();
      new DataView(broken.buffer).setUint32(14 + 4, 10_000);
      const e = thrown(() => parseMidiAnnotations(broken)) as MidiError;
      expect(e).toBeInstanceOf(MidiError);
      expect(e.offset).toBe(14);
      expect(e.message).toContain('truncated');
    });

    it('corrupt events inside a track (midi-file throws a string: wrapped, cause kept)', () => {
      const bytes = smf({ format: 0, ticksPerBeat: 480 }, [[on(0, 36)]]);
      const broken = bytes.slice();
      broken[22] = 0xf4; // status byte of the note-on → undefined system message
      const e = thrown(() => parseMidiAnnotations(broken)) as MidiError;
      expect(e).toBeInstanceOf(MidiError);
      expect(e.message).toContain('corrupt MIDI data');
      expect(typeof e.cause).toBe('string');
    });

    it('a note-on cut inside its track', () => {
      // track data ends after the note number: midi-file would read an undefined velocity
      const bytes = Uint8Array.of(...new TextEncoder().encode('MThd'), 0, 0, 0, 6, 0, 0, 0, 1, 1, 0xe0,
        ...new TextEncoder().encode('MTrk'), 0, 0, 0, 3, 0x00, 0x99, 36);
      expect(() => parseMidiAnnotations(bytes)).toThrow(MidiError);
    });

    it('format 2, a zero time division, a zero tempo', () => {
      const f2 = smf({ format: 2, ticksPerBeat: 480 }, [[on(0, 36)]]);
      expect(() => parseMidiAnnotations(f2)).toThrow(/format 2/);
      const zeroDivision = smf({ format: 0, ticksPerBeat: 480 }, [[on(0, 36)]]);
      zeroDivision[12] = 0;
      zeroDivision[13] = 0;
      expect(() => parseMidiAnnotations(zeroDivision)).toThrow(MidiError);
      const zeroTempo = smf({ format: 0, ticksPerBeat: 480 }, [[tempo(0, 0), on(0, 36)]]);
      expect(() => parseMidiAnnotations(zeroTempo)).toThrow(/set-tempo/);
    });
  });

  it('rejects invalid arguments with InvalidArgumentError', () => {
    expect(() => parseMidiAnnotations('MThd' as never)).toThrow(InvalidArgumentError);
    expect(() => parseMidiAnnotations(new Uint8Array(0), { channels: [0] })).toThrow(InvalidArgumentError);
    expect(() => parseMidiAnnotations(new Uint8Array(0), { timePrecision: 'half' as never })).toThrow(InvalidArgumentError);
  });
});

/** Deterministic pseudo-random events (LCG) spread over a minute, all classes, varied velocities. */
function someEvents(count: number, seed = 1): DrumEvent[] {
  let s = seed;
  const next = () => ((s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296);
  const events: DrumEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push({ timeSeconds: Math.round(next() * 60_000_000) / 1e6, classIndex: Math.floor(next() * 5), velocity: Math.ceil(next() * 127) / 127 });
  }
  return events.sort((a, b) => a.timeSeconds - b.timeSeconds || a.classIndex - b.classIndex);
}

describe('eventsToMidi', () => {
  it('writes GM drum notes on channel 10 at 120 bpm with 960 ticks per beat', () => {
    const events: DrumEvent[] = [0, 1, 2, 3, 4].map((c) => ({ timeSeconds: c * 0.25, classIndex: c, velocity: (c + 1) / 5 }));
    const midi = parseMidi(eventsToMidi(events));
    expect(midi.header).toMatchObject({ format: 0, numTracks: 1, ticksPerBeat: 960 });
    const evs = midi.tracks[0];
    expect(evs.find((e) => e.type === 'setTempo')).toMatchObject({ microsecondsPerBeat: 500_000 });
    const ons = evs.filter((e) => e.type === 'noteOn') as Extract<MidiEvent, { type: 'noteOn' }>[];
    expect(ons.map((e) => e.noteNumber)).toEqual([36, 38, 47, 42, 49]);
    expect(ons.every((e) => e.channel === 9)).toBe(true);
    expect(ons.map((e) => e.velocity)).toEqual([25, 51, 76, 102, 127]);
    expect(evs.filter((e) => e.type === 'noteOff')).toHaveLength(5);
    expect(DEFAULT_GM_DRUM_NOTES).toEqual({ KD: 36, SD: 38, TT: 47, HH: 42, CY: 49 });
  });

  it('round-trips: times within 1 ms, same classes, velocities within 1/127', () => {
    const events = someEvents(400);
    const back = parseMidiAnnotations(eventsToMidi(events)).events;
    expect(back).toHaveLength(events.length);
    back.forEach((e, i) => {
      expect(Math.abs(e.timeSeconds - events[i].timeSeconds)).toBeLessThanOrEqual(0.001);
      expect(e.classIndex).toBe(events[i].classIndex);
      expect(Math.abs(e.velocity - events[i].velocity!)).toBeLessThanOrEqual(1 / 127 + 1e-12);
    });
  });

  it('round-trips with 480 ticks per beat, another tempo, channel, note map and vocabulary', () => {
    const three = defineMapping({ classNames: ['KD', 'SD', 'HH'], pitches: { 35: 'KD', 40: 'SD', 44: 'HH' } });
    const events = someEvents(200, 7).map((e) => ({ ...e, classIndex: e.classIndex % 3 }));
    events.sort((a, b) => a.timeSeconds - b.timeSeconds || a.classIndex - b.classIndex);
    const bytes = eventsToMidi(events, {
      classNames: three.classNames, noteMap: { KD: 35, SD: 40, HH: 44 }, ticksPerBeat: 480, tempoBpm: 97, channel: 1,
      noteDurationSeconds: 0.2, trackName: null,
    });
    const back = parseMidiAnnotations(bytes, { mapping: three });
    expect(back.unknownPitches).toEqual([]);
    expect(back.events.map((e) => e.classIndex)).toEqual(events.map((e) => e.classIndex));
    back.events.forEach((e, i) => {
      expect(Math.abs(e.timeSeconds - events[i].timeSeconds)).toBeLessThanOrEqual(0.001);
      expect(e.channel).toBe(1);
    });
  });

  it('keeps fast repeats of one note (note-off before the next note-on) and merges same-tick duplicates', () => {
    const events: DrumEvent[] = [
      { timeSeconds: 1, classIndex: 3, velocity: 0.5 },
      { timeSeconds: 1.01, classIndex: 3, velocity: 0.5 },
      { timeSeconds: 1.01, classIndex: 3, velocity: 0.9 },
    ];
    const back = parseMidiAnnotations(eventsToMidi(events)).events;
    expect(back).toHaveLength(2);
    expect(back[0].timeSeconds).toBe(1);
    expect(Math.abs(back[1].timeSeconds - 1.01)).toBeLessThanOrEqual(0.001);
    expect(back[1].velocity).toBe(Math.round(0.9 * 127) / 127);
  });

  it('uses defaultVelocity for events without one', () => {
    const back = parseMidiAnnotations(eventsToMidi([{ timeSeconds: 0, classIndex: 0 }], { defaultVelocity: 0.5 })).events;
    expect(back[0].velocity).toBe(64 / 127);
  });

  it.each([
    ['a class without a note', [{ timeSeconds: 0, classIndex: 0, className: 'RD' }], {}],
    ['a bad note', [{ timeSeconds: 0, classIndex: 0 }], { noteMap: { KD: 128 } }],
    ['channel 0', [], { channel: 0 }],
    ['tempo 0', [], { tempoBpm: 0 }],
    ['ticksPerBeat 40000', [], { ticksPerBeat: 40000 }],
    ['a zero duration', [], { noteDurationSeconds: 0 }],
    ['a negative time', [{ timeSeconds: -1, classIndex: 0 }], {}],
    ['a time beyond the MIDI range', [{ timeSeconds: 1e6, classIndex: 0 }], {}],
  ])('rejects %s with InvalidArgumentError', (_, events, options) => {
    expect(() => eventsToMidi(events as DrumEvent[], options as never)).toThrow(InvalidArgumentError);
  });
});

describe('midiNoteMapFor', () => {
  it('every built-in mapping with MIDI pitches: the default GM notes, and its files parse back to the same classes', () => {
    for (const mapping of Object.values(BUILTIN_MAPPINGS)) {
      if (Object.values(mapping.pitches).every((c) => c === null)) {
        expect(() => midiNoteMapFor(mapping), mapping.name).toThrow(/assigns no MIDI pitch/);
        continue;
      }
      const noteMap = midiNoteMapFor(mapping);
      expect(noteMap, mapping.name).toEqual(DEFAULT_GM_DRUM_NOTES);
      const events: DrumEvent[] = mapping.classNames.map((_, c) => ({ timeSeconds: 0.1 + c * 0.2, classIndex: c, velocity: 0.8 }));
      const back = parseMidiAnnotations(eventsToMidi(events, { noteMap }), { mapping }).events;
      expect(back.map((e) => e.classIndex), mapping.name).toEqual(events.map((e) => e.classIndex));
    }
  });

  it('another vocabulary: lowest mapped pitch (or the GM default of a known name); round trip through the mapping', () => {
    const mapping = defineMapping({
      name: 'kit7',
      classNames: ['BD', 'SN', 'RD', 'CR', 'HH', 'LT', 'RS'],
      pitches: { 35: 'BD', 36: 'BD', 38: 'SN', 40: 'SN', 51: 'RD', 59: 'RD', 49: 'CR', 57: 'CR', 44: 'HH', 42: 'HH', 46: 'HH', 45: 'LT', 41: 'LT', 37: 'RS', 39: null },
    });
    const noteMap = midiNoteMapFor(mapping);
    expect(noteMap).toEqual({ BD: 35, SN: 38, RD: 51, CR: 49, HH: 42, LT: 41, RS: 37 });
    const events: DrumEvent[] = Array.from({ length: 70 }, (_, i) => ({ timeSeconds: i * 0.05, classIndex: (i * 3) % 7, velocity: 0.5 }));
    const midi = eventsToMidi(events, { noteMap, classNames: mapping.classNames });
    const back = parseMidiAnnotations(midi, { mapping });
    expect(back.classNames).toEqual(mapping.classNames);
    expect(back.events.map((e) => e.classIndex)).toEqual(events.map((e) => e.classIndex));
    // Without it, eventsToMidi cannot place the classes and says so.
    expect(() => eventsToMidi(events, { classNames: mapping.classNames })).toThrow(/noteMap does not list/);
  });

  it('rejects a mapping that leaves a class without pitch, and non-mappings, with InvalidArgumentError', () => {
    const mapping = defineMapping({ name: 'partial', classNames: ['BD', 'SN', 'CB'], pitches: { 36: 'BD', 38: 'SN' } });
    expect(() => midiNoteMapFor(mapping)).toThrow(InvalidArgumentError);
    expect(() => midiNoteMapFor(mapping)).toThrow(/mapping "partial" assigns no MIDI pitch to "CB"/);
    expect(() => midiNoteMapFor({} as never)).toThrow(/must be a class mapping/);
  });
});

describe('eventsToText', () => {
  it('writes time<TAB>label lines sorted by time', () => {
    const text = eventsToText([{ timeSeconds: 1.5, classIndex: 1 }, { timeSeconds: 0.0123456789, classIndex: 0, className: 'KD' }]);
    expect(text).toBe('0.012346\tKD\n1.500000\tSD\n');
    expect(eventsToText([{ timeSeconds: 0.0125, classIndex: 4 }], { decimals: 2, separator: ' ' })).toBe('0.01 CY\n');
  });

  it('round-trips exactly to the printed precision', () => {
    const events = someEvents(300, 3).map((e) => ({ ...e, timeSeconds: e.timeSeconds + 1e-7 * e.classIndex }));
    for (const decimals of [3, 6, 9]) {
      const back = parseTextAnnotations(eventsToText(events, { decimals })).events;
      expect(back).toHaveLength(events.length);
      back.forEach((e, i) => {
        const expected = events.find((x) => Number(x.timeSeconds.toFixed(decimals)) === e.timeSeconds && x.classIndex === e.classIndex);
        expect(expected).toBeDefined();
        expect(Math.abs(e.timeSeconds - events[i].timeSeconds)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
      });
      expect(back.map((e) => e.timeSeconds)).toEqual(
        [...events].map((e) => Number(e.timeSeconds.toFixed(decimals))).sort((a, b) => a - b),
      );
    }
  });

  it('writes other label sets (ENST style) that their mapping reads back', () => {
    const labels = { KD: 'bd', SD: 'sd', TT: 'mt', HH: 'chh', CY: 'cr' };
    const events = someEvents(50, 5).map(({ timeSeconds, classIndex }) => ({ timeSeconds, classIndex }));
    const text = eventsToText(events, { labels, separator: ' ', decimals: 6 });
    expect(text.split('\n')[0]).toMatch(/^\d+\.\d{6} (bd|sd|mt|chh|cr)$/);
    const back = parseTextAnnotations(text, { mapping: ENST_MAPPING }).events;
    expect(back.map((e) => e.classIndex)).toEqual(events.map((e) => e.classIndex));
  });

  it('rejects bad options', () => {
    expect(() => eventsToText([], { decimals: 21 })).toThrow(InvalidArgumentError);
    expect(() => eventsToText([], { separator: ',' })).toThrow(InvalidArgumentError);
    expect(() => eventsToText([{ timeSeconds: 0, classIndex: 0 }], { labels: { KD: 'bass drum' } })).toThrow(InvalidArgumentError);
  });
});

describe('events JSON', () => {
  it('writes the documented schema and reads it back exactly', () => {
    const events = someEvents(100, 11).map((e, i) => (i % 3 === 0 ? { timeSeconds: e.timeSeconds, classIndex: e.classIndex } : e));
    const text = eventsToJson(events);
    const doc = JSON.parse(text);
    expect(doc.format).toBe('adtkit-events');
    expect(doc.version).toBe(EVENTS_JSON_VERSION);
    expect(doc.classNames).toEqual(['KD', 'SD', 'TT', 'HH', 'CY']);
    expect(Object.keys(doc.events[1]).sort()).toEqual(['classIndex', 'className', 'timeSeconds', 'velocity']);
    expect('velocity' in doc.events[0]).toBe(false);
    const back = parseEventsJson(text);
    expect(back.classNames).toEqual(doc.classNames);
    expect(back.events).toEqual(events.map((e) => ({ ...e, className: doc.classNames[e.classIndex] })));
  });

  it('refuses an event whose className disagrees with the vocabulary', () => {
    expect(() => eventsToJson([{ timeSeconds: 0, classIndex: 0, className: 'SD' }])).toThrow(InvalidArgumentError);
  });

  it.each([
    ['invalid JSON', '{', 'not valid JSON', undefined],
    ['another format', '{"format":"x","version":1}', 'format', 'format'],
    ['a future version', '{"format":"adtkit-events","version":2,"classNames":["KD"],"events":[]}', 'version 2', 'version'],
    ['no classNames', '{"format":"adtkit-events","version":1,"events":[]}', 'classNames', 'classNames'],
    ['a negative time', '{"format":"adtkit-events","version":1,"classNames":["KD"],"events":[{"timeSeconds":-1,"classIndex":0}]}', 'events[0].timeSeconds', 'events[0].timeSeconds'],
    ['a class index out of range', '{"format":"adtkit-events","version":1,"classNames":["KD"],"events":[{"timeSeconds":1,"classIndex":1}]}', 'classIndex', 'events[0].classIndex'],
    ['a velocity of 2', '{"format":"adtkit-events","version":1,"classNames":["KD"],"events":[{"timeSeconds":1,"classIndex":0,"velocity":2}]}', 'velocity', 'events[0].velocity'],
  ])('rejects %s with AnnotationError', (_, text, message, field) => {
    const e = thrown(() => parseEventsJson(text, { file: 'e.json' })) as AnnotationError;
    expect(e).toBeInstanceOf(AnnotationError);
    expect(e.code).toBe('INVALID_ANNOTATION');
    expect(e.message).toContain('e.json');
    expect(e.message).toContain(message);
    expect(e.field).toBe(field);
  });
});
